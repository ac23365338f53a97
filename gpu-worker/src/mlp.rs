//! A fixed-point multi-layer perceptron: the metered service's model.
//!
//! Weights are `i8`, biases `i32`; each layer computes `acc = bias + Σ w·x`, clamps it to `i32`,
//! shifts it right by the layer's `shift` (requantisation), clamps to `i8` and, except on the last
//! layer, applies ReLU. Integer arithmetic makes the output bit-exact on every machine, so a
//! caller, the service and a verifier all get the same bytes for the same input.
//!
//! Accumulators cannot overflow: `|w·x| ≤ 2^14` and layers have at most [`MAX_WIDTH`] (2^16)
//! inputs, so `|Σ| ≤ 2^30`, plus a bias bounded by 2^30. The sum is taken in `i64` and then
//! requantised by [`crate::exec::requantize`] (clamp to `i32`, shift, clamp to `i8`, ReLU), the
//! one definition the service and every executor backend share.
//!
//! ## Model files
//!
//! A model travels as a [safetensors](https://huggingface.co/docs/safetensors) file
//! ([`Mlp::to_safetensors`], [`Mlp::from_safetensors`]):
//!
//! - tensors `layers.{i}.weight`, dtype `I8`, shape `[outputs, inputs]` (row-major, one row per
//!   output), and `layers.{i}.bias`, dtype `I32`, shape `[outputs]`, for layers `i = 0, 1, …`
//!   numbered contiguously (at most [`MAX_LAYERS`]);
//! - header metadata `"format": "airtime-mlp-1"` ([`FORMAT`]) and `"layers.{i}.shift": "<u32>"`
//!   (decimal) for every layer.
//!
//! [`Mlp::to_safetensors`] writes the header itself in a fixed order (metadata, then biases, then
//! weights), so the same model always serialises to the same bytes, whatever the hash map order
//! of the safetensors crate.

use crate::exec::requantize;
use safetensors::{tensor::Metadata, Dtype, SafeTensors};
use thiserror::Error;

/// The widest layer input or output.
pub const MAX_WIDTH: usize = 1 << 16;
/// The largest bias magnitude.
pub const MAX_BIAS: i32 = 1 << 30;
/// The most layers a model file may hold.
pub const MAX_LAYERS: usize = 64;
/// The `format` entry of a model file's header metadata.
pub const FORMAT: &str = "airtime-mlp-1";

/// Why a model or an input was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum MlpError {
	/// A model needs at least an input and an output width.
	#[error("a model needs at least two widths (input and output), got {0}")]
	TooFewLayers(usize),
	/// A width is zero or above [`MAX_WIDTH`].
	#[error("layer width {0} is outside 1..={MAX_WIDTH}")]
	BadWidth(usize),
	/// A layer's weights or biases do not match its shape.
	#[error("layer {layer}: expected {expected} {what}, got {got}")]
	BadShape { layer: usize, what: &'static str, expected: usize, got: usize },
	/// A bias is out of range.
	#[error("layer {layer}: bias {bias} exceeds ±{MAX_BIAS}")]
	BadBias { layer: usize, bias: i32 },
	/// A shift of 32 or more.
	#[error("layer {layer}: shift {shift} is not below 32")]
	BadShift { layer: usize, shift: u32 },
	/// The input has the wrong length.
	#[error("input has {got} values, the model takes {expected}")]
	BadInput { expected: usize, got: usize },
	/// The bytes are not a valid safetensors file.
	#[error("not a safetensors file: {0}")]
	Safetensors(String),
	/// The header metadata's `format` entry is missing or is not [`FORMAT`].
	#[error("model format is {0:?}, expected {FORMAT:?}")]
	BadFormat(String),
	/// A layer's weight or bias tensor is absent.
	#[error("tensor {0} is missing")]
	MissingTensor(String),
	/// A tensor that is neither `layers.{i}.weight` nor `layers.{i}.bias`.
	#[error("unexpected tensor {0} (a model holds only layers.N.weight and layers.N.bias)")]
	UnexpectedTensor(String),
	/// A tensor has the wrong element type.
	#[error("tensor {name} has dtype {got}, expected {expected}")]
	BadDtype {
		/// The tensor.
		name: String,
		/// The dtype the format requires.
		expected: &'static str,
		/// The dtype found.
		got: String,
	},
	/// A tensor has the wrong number of dimensions.
	#[error("tensor {name} has shape {shape:?}, expected {expected}")]
	BadTensorShape {
		/// The tensor.
		name: String,
		/// The shape found.
		shape: Vec<usize>,
		/// The shape the format requires.
		expected: &'static str,
	},
	/// A layer's `layers.{i}.shift` metadata entry is absent.
	#[error("header metadata has no layers.{0}.shift")]
	MissingShift(usize),
	/// A layer's shift is not a decimal `u32`.
	#[error("layers.{layer}.shift = {value:?} is not a decimal u32")]
	BadShiftValue {
		/// The layer.
		layer: usize,
		/// The metadata value found.
		value: String,
	},
	/// More layers than [`MAX_LAYERS`].
	#[error("the model has {0} layers, more than {MAX_LAYERS}")]
	TooManyLayers(usize),
}

/// One dense layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
	/// Input width.
	pub inputs: usize,
	/// Output width.
	pub outputs: usize,
	/// `outputs` rows of `inputs` weights.
	pub weights: Vec<i8>,
	/// One bias per output.
	pub bias: Vec<i32>,
	/// Right shift applied to the accumulator.
	pub shift: u32,
}

impl Layer {
	/// `requantize(bias + Σ w·x)` for each output; only called on a validated layer (`inputs > 0`).
	fn forward(&self, input: &[i8], relu: bool) -> Vec<i8> {
		self.weights
			.chunks_exact(self.inputs.max(1))
			.zip(&self.bias)
			.map(|(row, bias)| {
				// Exact: |Σ w·x| ≤ 2^30 and |bias| ≤ 2^30 (saturation never triggers).
				let acc = row.iter().zip(input).fold(i64::from(*bias), |acc, (w, x)| {
					acc.saturating_add(i64::from(*w).saturating_mul(i64::from(*x)))
				});
				requantize(acc, self.shift, relu)
			})
			.collect()
	}
}

/// A validated model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mlp {
	layers: Vec<Layer>,
}

impl Mlp {
	/// A model from explicit layers, checked for shape and ranges.
	pub fn new(layers: Vec<Layer>) -> Result<Self, MlpError> {
		if layers.is_empty() {
			return Err(MlpError::TooFewLayers(layers.len()));
		}
		let mut width = layers.first().map(|l| l.inputs).unwrap_or_default();
		for (i, layer) in layers.iter().enumerate() {
			for w in [layer.inputs, layer.outputs] {
				if w == 0 || w > MAX_WIDTH {
					return Err(MlpError::BadWidth(w));
				}
			}
			if layer.inputs != width {
				return Err(MlpError::BadShape {
					layer: i,
					what: "inputs",
					expected: width,
					got: layer.inputs,
				});
			}
			let expected = layer.inputs.saturating_mul(layer.outputs);
			if layer.weights.len() != expected {
				return Err(MlpError::BadShape {
					layer: i,
					what: "weights",
					expected,
					got: layer.weights.len(),
				});
			}
			if layer.bias.len() != layer.outputs {
				return Err(MlpError::BadShape {
					layer: i,
					what: "biases",
					expected: layer.outputs,
					got: layer.bias.len(),
				});
			}
			if let Some(bias) =
				layer.bias.iter().find(|b| b.unsigned_abs() > MAX_BIAS.unsigned_abs())
			{
				return Err(MlpError::BadBias { layer: i, bias: *bias });
			}
			if layer.shift >= 32 {
				return Err(MlpError::BadShift { layer: i, shift: layer.shift });
			}
			width = layer.outputs;
		}
		Ok(Self { layers })
	}

	/// A model with pseudo-random weights drawn from `seed` (splitmix64 to spread the seed, then
	/// xorshift64*), for widths
	/// `dims[0] → dims[1] → …`. Every service and client derives the same model from the same
	/// seed and widths.
	pub fn from_seed(seed: u64, dims: &[usize]) -> Result<Self, MlpError> {
		if dims.len() < 2 {
			return Err(MlpError::TooFewLayers(dims.len()));
		}
		// splitmix64: every seed, even or odd, gives a distinct non-zero xorshift state.
		let mut state = {
			let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
			z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
			z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
			(z ^ (z >> 31)) | 1
		};
		let mut next = move || {
			state ^= state >> 12;
			state ^= state << 25;
			state ^= state >> 27;
			state.wrapping_mul(0x2545_F491_4F6C_DD1D)
		};
		let layers = dims
			.windows(2)
			.map(|pair| {
				let (inputs, outputs) = match pair {
					[i, o] => (*i, *o),
					_ => (0, 0),
				};
				let weights = (0..inputs.saturating_mul(outputs))
					.map(|_| (next() >> 56) as u8 as i8)
					.collect();
				let bias =
					(0..outputs).map(|_| ((next() >> 52) as i32).saturating_sub(2048)).collect();
				// Keep activations in range: shift by about log2(inputs) + 6.
				let shift = usize::BITS.saturating_sub(inputs.leading_zeros()).saturating_add(5);
				Layer { inputs, outputs, weights, bias, shift }
			})
			.collect();
		Self::new(layers)
	}

	/// The layers, input first.
	pub fn layers(&self) -> &[Layer] {
		&self.layers
	}

	/// Input width.
	pub fn input_len(&self) -> usize {
		self.layers.first().map(|l| l.inputs).unwrap_or_default()
	}

	/// Output width.
	pub fn output_len(&self) -> usize {
		self.layers.last().map(|l| l.outputs).unwrap_or_default()
	}

	/// Run the model.
	pub fn infer(&self, input: &[i8]) -> Result<Vec<i8>, MlpError> {
		if input.len() != self.input_len() {
			return Err(MlpError::BadInput { expected: self.input_len(), got: input.len() });
		}
		let last = self.layers.len().saturating_sub(1);
		let mut activations = input.to_vec();
		for (i, layer) in self.layers.iter().enumerate() {
			activations = layer.forward(&activations, i != last);
		}
		Ok(activations)
	}

	/// Read a model file (see the module docs for the format) and validate it with [`Mlp::new`].
	///
	/// Refuses, each with its own [`MlpError`]: bytes that are not safetensors, a `format` other
	/// than [`FORMAT`], a tensor other than a layer's weight or bias, a missing tensor or shift, a
	/// wrong dtype or rank, more than [`MAX_LAYERS`] layers, and everything [`Mlp::new`] refuses
	/// (widths, shapes that do not chain, biases, shifts of 32 or more).
	pub fn from_safetensors(bytes: &[u8]) -> Result<Self, MlpError> {
		let (header_len, meta) =
			SafeTensors::read_metadata(bytes).map_err(|e| MlpError::Safetensors(e.to_string()))?;
		let data = bytes
			.get(8..)
			.and_then(|rest| rest.get(header_len..))
			.ok_or_else(|| MlpError::Safetensors("truncated header".into()))?;
		let entries = meta.metadata().as_ref();
		let format = entries.and_then(|m| m.get("format"));
		if format.map(String::as_str) != Some(FORMAT) {
			return Err(MlpError::BadFormat(format.cloned().unwrap_or_else(|| "<missing>".into())));
		}
		let mut count = 0usize;
		for name in meta.offset_keys() {
			let index =
				layer_index(&name).ok_or_else(|| MlpError::UnexpectedTensor(name.clone()))?;
			if index >= MAX_LAYERS {
				return Err(MlpError::TooManyLayers(index.saturating_add(1)));
			}
			count = count.max(index.saturating_add(1));
		}
		if count == 0 {
			return Err(MlpError::TooFewLayers(0));
		}
		let mut layers = Vec::with_capacity(count);
		for i in 0..count {
			let name = format!("layers.{i}.weight");
			let (shape, weights) = tensor(&meta, data, &name, Dtype::I8, "I8")?;
			let (outputs, inputs) = match shape.as_slice() {
				[outputs, inputs] => (*outputs, *inputs),
				_ => {
					return Err(MlpError::BadTensorShape {
						name,
						shape,
						expected: "[outputs, inputs]",
					})
				},
			};
			let name = format!("layers.{i}.bias");
			let (shape, bias) = tensor(&meta, data, &name, Dtype::I32, "I32")?;
			if shape.len() != 1 {
				return Err(MlpError::BadTensorShape { name, shape, expected: "[outputs]" });
			}
			let value = entries
				.and_then(|m| m.get(&format!("layers.{i}.shift")))
				.ok_or(MlpError::MissingShift(i))?;
			let shift = value
				.bytes()
				.all(|b| b.is_ascii_digit())
				.then(|| value.parse::<u32>().ok())
				.flatten()
				.ok_or_else(|| MlpError::BadShiftValue { layer: i, value: value.clone() })?;
			layers.push(Layer {
				inputs,
				outputs,
				weights: weights.iter().map(|w| *w as i8).collect(),
				bias: bias
					.chunks_exact(4)
					.map(|c| <[u8; 4]>::try_from(c).map(i32::from_le_bytes).unwrap_or_default())
					.collect(),
				shift,
			});
		}
		Self::new(layers)
	}

	/// The model as a safetensors file (see the module docs for the format). Deterministic: the
	/// same model always gives the same bytes.
	pub fn to_safetensors(&self) -> Result<Vec<u8>, MlpError> {
		if self.layers.len() > MAX_LAYERS {
			return Err(MlpError::TooManyLayers(self.layers.len()));
		}
		let mut header = format!("{{\"__metadata__\":{{\"format\":\"{FORMAT}\"");
		for (i, layer) in self.layers.iter().enumerate() {
			header.push_str(&format!(",\"layers.{i}.shift\":\"{}\"", layer.shift));
		}
		header.push('}');
		// Biases (I32) first, then weights (I8): every tensor stays aligned to its element size,
		// since the header is padded to a multiple of 8 bytes.
		let mut data = Vec::new();
		for (i, layer) in self.layers.iter().enumerate() {
			let start = data.len();
			data.extend(layer.bias.iter().flat_map(|b| b.to_le_bytes()));
			let name = format!("layers.{i}.bias");
			push_tensor(&mut header, &name, "I32", &[layer.outputs], (start, data.len()));
		}
		for (i, layer) in self.layers.iter().enumerate() {
			let start = data.len();
			data.extend(layer.weights.iter().map(|w| *w as u8));
			let name = format!("layers.{i}.weight");
			let shape = [layer.outputs, layer.inputs];
			push_tensor(&mut header, &name, "I8", &shape, (start, data.len()));
		}
		header.push('}');
		while header.len() & 7 != 0 {
			header.push(' ');
		}
		let mut out = Vec::with_capacity(header.len().saturating_add(data.len()).saturating_add(8));
		out.extend_from_slice(&(header.len() as u64).to_le_bytes());
		out.extend_from_slice(header.as_bytes());
		out.extend_from_slice(&data);
		Ok(out)
	}
}

/// A tensor's header entry, `dtype`, `shape` and `data_offsets`, found and checked for `dtype`,
/// with its bytes.
fn tensor<'a>(
	meta: &Metadata,
	data: &'a [u8],
	name: &str,
	dtype: Dtype,
	expected: &'static str,
) -> Result<(Vec<usize>, &'a [u8]), MlpError> {
	let info = meta.info(name).ok_or_else(|| MlpError::MissingTensor(name.into()))?;
	if info.dtype != dtype {
		return Err(MlpError::BadDtype {
			name: name.into(),
			expected,
			got: info.dtype.to_string(),
		});
	}
	let (start, end) = info.data_offsets;
	let bytes = data
		.get(start..end)
		.ok_or_else(|| MlpError::Safetensors(format!("tensor {name} lies outside the file")))?;
	Ok((info.shape.clone(), bytes))
}

/// Append a tensor's entry to a safetensors JSON header.
fn push_tensor(
	header: &mut String,
	name: &str,
	dtype: &str,
	shape: &[usize],
	(start, end): (usize, usize),
) {
	let shape = shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(",");
	header.push_str(&format!(",\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{shape}],"));
	header.push_str(&format!("\"data_offsets\":[{start},{end}]}}"));
}

/// The layer number of a tensor named `layers.{i}.weight` or `layers.{i}.bias` (`i` in canonical
/// decimal, no sign or leading zero).
fn layer_index(name: &str) -> Option<usize> {
	let (index, suffix) = name.strip_prefix("layers.")?.split_once('.')?;
	if suffix != "weight" && suffix != "bias" {
		return None;
	}
	let parsed = index.parse::<usize>().ok()?;
	(parsed.to_string() == index).then_some(parsed)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
	use super::*;
	use safetensors::tensor::TensorView;
	use std::collections::HashMap;

	type Tensors = Vec<(&'static str, Dtype, Vec<usize>, Vec<u8>)>;
	type Meta = Vec<(&'static str, &'static str)>;

	/// A safetensors file from explicit tensors and metadata, written by the safetensors crate.
	fn file(tensors: &Tensors, meta: &Meta) -> Vec<u8> {
		let views: Vec<(String, TensorView<'_>)> = tensors
			.iter()
			.map(|(name, dtype, shape, data)| {
				(name.to_string(), TensorView::new(*dtype, shape.clone(), data).unwrap())
			})
			.collect();
		let meta: HashMap<String, String> =
			meta.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
		safetensors::serialize(views, Some(meta)).unwrap()
	}

	fn i8_bytes(v: &[i8]) -> Vec<u8> {
		v.iter().map(|w| *w as u8).collect()
	}

	fn i32_bytes(v: &[i32]) -> Vec<u8> {
		v.iter().flat_map(|x| x.to_le_bytes()).collect()
	}

	/// [`tiny`]'s tensors and metadata, to be edited into broken files.
	fn tiny_parts() -> (Tensors, Meta) {
		(
			vec![
				("layers.0.weight", Dtype::I8, vec![2, 3], i8_bytes(&[1, 2, 3, -4, 5, -6])),
				("layers.0.bias", Dtype::I32, vec![2], i32_bytes(&[4, -100])),
				("layers.1.weight", Dtype::I8, vec![2, 2], i8_bytes(&[2, -1, -3, 1])),
				("layers.1.bias", Dtype::I32, vec![2], i32_bytes(&[0, 7])),
			],
			vec![("format", "airtime-mlp-1"), ("layers.0.shift", "1"), ("layers.1.shift", "0")],
		)
	}

	/// A 3 → 2 → 2 model worked out by hand.
	fn tiny() -> Mlp {
		Mlp::new(vec![
			Layer {
				inputs: 3,
				outputs: 2,
				weights: vec![1, 2, 3, -4, 5, -6],
				bias: vec![4, -100],
				shift: 1,
			},
			Layer {
				inputs: 2,
				outputs: 2,
				weights: vec![2, -1, -3, 1],
				bias: vec![0, 7],
				shift: 0,
			},
		])
		.unwrap()
	}

	#[test]
	fn tiny_model_matches_the_hand_computed_vector() {
		// Layer 1: [4 + 10 + 40 + 90, -100 - 40 + 100 - 180] = [144, -220];
		// >> 1 → [72, -110]; relu → [72, 0].
		// Layer 2: [144 + 0, -216 + 7] = [144, -209] → clamp [127, -128] (no relu on the last).
		assert_eq!(tiny().infer(&[10, 20, 30]).unwrap(), vec![127, -128]);
		// Small values: layer 1: [4 + 1 + 0 - 3, -100 - 4 + 0 + 6] = [2, -98] >> 1 = [1, -49]
		// → relu [1, 0]; layer 2: [2, -3 + 7] = [2, 4].
		assert_eq!(tiny().infer(&[1, 0, -1]).unwrap(), vec![2, 4]);
	}

	#[test]
	fn models_from_the_same_seed_agree_and_differ_across_seeds() {
		let a = Mlp::from_seed(42, &[16, 32, 4]).unwrap();
		let b = Mlp::from_seed(42, &[16, 32, 4]).unwrap();
		let c = Mlp::from_seed(43, &[16, 32, 4]).unwrap();
		assert_eq!(a, b);
		assert_ne!(a, c);
		let input: Vec<i8> = (0..16).map(|i| (i * 7 - 50) as i8).collect();
		assert_eq!(a.infer(&input).unwrap(), b.infer(&input).unwrap());
		assert_eq!(a.infer(&input).unwrap().len(), 4);
	}

	#[test]
	fn bad_models_and_inputs_are_refused() {
		assert_eq!(Mlp::from_seed(1, &[4]), Err(MlpError::TooFewLayers(1)));
		assert_eq!(Mlp::from_seed(1, &[0, 4]), Err(MlpError::BadWidth(0)));
		let mut layers = tiny().layers;
		layers[1].weights.pop();
		assert_eq!(
			Mlp::new(layers),
			Err(MlpError::BadShape { layer: 1, what: "weights", expected: 4, got: 3 })
		);
		let mut layers = tiny().layers;
		layers[0].shift = 32;
		assert_eq!(Mlp::new(layers), Err(MlpError::BadShift { layer: 0, shift: 32 }));
		assert_eq!(tiny().infer(&[1, 2]), Err(MlpError::BadInput { expected: 3, got: 2 }));
	}

	#[test]
	fn models_round_trip_through_safetensors() {
		for model in [tiny(), Mlp::from_seed(7, &[64, 128, 128, 10]).unwrap()] {
			let bytes = model.to_safetensors().unwrap();
			assert_eq!(bytes, model.to_safetensors().unwrap(), "serialisation is deterministic");
			assert_eq!(Mlp::from_safetensors(&bytes).unwrap(), model);
			// The safetensors crate reads our files too.
			let parsed = safetensors::SafeTensors::deserialize(&bytes).unwrap();
			assert_eq!(parsed.len(), 2 * model.layers().len());
		}
		// A file written by the safetensors crate reads as the same model.
		let (tensors, meta) = tiny_parts();
		assert_eq!(Mlp::from_safetensors(&file(&tensors, &meta)).unwrap(), tiny());
	}

	#[test]
	fn broken_model_files_give_their_specific_error() {
		let load = |tensors: &Tensors, meta: &Meta| Mlp::from_safetensors(&file(tensors, meta));

		let (mut tensors, meta) = tiny_parts();
		tensors.retain(|t| t.0 != "layers.1.bias");
		assert_eq!(load(&tensors, &meta), Err(MlpError::MissingTensor("layers.1.bias".into())));

		let (mut tensors, meta) = tiny_parts();
		tensors.retain(|t| !t.0.starts_with("layers.1."));
		tensors.push(("layers.2.weight", Dtype::I8, vec![2, 2], i8_bytes(&[1, 1, 1, 1])));
		tensors.push(("layers.2.bias", Dtype::I32, vec![2], i32_bytes(&[0, 0])));
		assert_eq!(load(&tensors, &meta), Err(MlpError::MissingTensor("layers.1.weight".into())));

		let (mut tensors, meta) = tiny_parts();
		tensors[1].1 = Dtype::U32;
		assert_eq!(
			load(&tensors, &meta),
			Err(MlpError::BadDtype {
				name: "layers.0.bias".into(),
				expected: "I32",
				got: "U32".into()
			})
		);

		let (mut tensors, meta) = tiny_parts();
		tensors[0].2 = vec![6];
		assert_eq!(
			load(&tensors, &meta),
			Err(MlpError::BadTensorShape {
				name: "layers.0.weight".into(),
				shape: vec![6],
				expected: "[outputs, inputs]"
			})
		);

		let (mut tensors, meta) = tiny_parts();
		tensors[1] = ("layers.0.bias", Dtype::I32, vec![3], i32_bytes(&[1, 2, 3]));
		assert_eq!(
			load(&tensors, &meta),
			Err(MlpError::BadShape { layer: 0, what: "biases", expected: 2, got: 3 })
		);

		let (mut tensors, meta) = tiny_parts();
		tensors[2] = ("layers.1.weight", Dtype::I8, vec![2, 3], i8_bytes(&[1; 6]));
		assert_eq!(
			load(&tensors, &meta),
			Err(MlpError::BadShape { layer: 1, what: "inputs", expected: 2, got: 3 })
		);

		let (tensors, mut meta) = tiny_parts();
		meta.retain(|m| m.0 != "layers.1.shift");
		assert_eq!(load(&tensors, &meta), Err(MlpError::MissingShift(1)));

		for bad in ["", "x", "+1", "-1", "4294967296"] {
			let (tensors, mut meta) = tiny_parts();
			meta[1].1 = bad;
			assert_eq!(
				load(&tensors, &meta),
				Err(MlpError::BadShiftValue { layer: 0, value: bad.into() })
			);
		}

		let (tensors, mut meta) = tiny_parts();
		meta[1].1 = "32";
		assert_eq!(load(&tensors, &meta), Err(MlpError::BadShift { layer: 0, shift: 32 }));

		let (tensors, mut meta) = tiny_parts();
		meta.retain(|m| m.0 != "format");
		assert_eq!(load(&tensors, &meta), Err(MlpError::BadFormat("<missing>".into())));
		let (tensors, mut meta) = tiny_parts();
		meta[0].1 = "airtime-mlp-2";
		assert_eq!(load(&tensors, &meta), Err(MlpError::BadFormat("airtime-mlp-2".into())));

		let (mut tensors, meta) = tiny_parts();
		tensors.push(("extra", Dtype::I8, vec![1], vec![0]));
		assert_eq!(load(&tensors, &meta), Err(MlpError::UnexpectedTensor("extra".into())));

		let (mut tensors, meta) = tiny_parts();
		tensors.push(("layers.01.bias", Dtype::I32, vec![1], i32_bytes(&[0])));
		assert_eq!(load(&tensors, &meta), Err(MlpError::UnexpectedTensor("layers.01.bias".into())));

		let (mut tensors, meta) = tiny_parts();
		tensors.push(("layers.64.bias", Dtype::I32, vec![1], i32_bytes(&[0])));
		assert_eq!(load(&tensors, &meta), Err(MlpError::TooManyLayers(65)));

		let (_, meta) = tiny_parts();
		assert_eq!(load(&Vec::new(), &meta), Err(MlpError::TooFewLayers(0)));

		let garbage: [&[u8]; 3] = [b"", b"definitely not a model", &[0xff; 64]];
		for garbage in garbage {
			assert!(
				matches!(Mlp::from_safetensors(garbage), Err(MlpError::Safetensors(_))),
				"{garbage:?}"
			);
		}
	}
}
