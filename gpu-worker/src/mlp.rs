//! A fixed-point multi-layer perceptron: the metered service's model.
//!
//! Weights are `i8`, accumulators `i32`; each layer computes `acc = bias + Σ w·x`, shifts it right
//! by the layer's `shift` (requantisation), clamps to `i8` and, except on the last layer, applies
//! ReLU. Integer arithmetic makes the output bit-exact on every machine, so a caller, the
//! service and a verifier all get the same bytes for the same input.
//!
//! Accumulators cannot overflow: `|w·x| ≤ 2^14` and layers have at most [`MAX_WIDTH`] (2^16)
//! inputs, so `|Σ| ≤ 2^30` plus a bias bounded by 2^30: below `i32::MAX`. The arithmetic still
//! saturates, so even a malformed model cannot panic.

use thiserror::Error;

/// The widest layer input or output.
pub const MAX_WIDTH: usize = 1 << 16;
/// The largest bias magnitude.
pub const MAX_BIAS: i32 = 1 << 30;

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
	fn forward(&self, input: &[i8], relu: bool) -> Vec<i8> {
		self.weights
			.chunks_exact(self.inputs)
			.zip(&self.bias)
			.map(|(row, bias)| {
				let acc = row.iter().zip(input).fold(*bias, |acc, (w, x)| {
					acc.saturating_add(i32::from(*w).saturating_mul(i32::from(*x)))
				});
				let scaled = acc.checked_shr(self.shift).unwrap_or(0);
				let clamped = scaled.clamp(i32::from(i8::MIN), i32::from(i8::MAX));
				let out = i8::try_from(clamped).unwrap_or(0);
				if relu {
					out.max(0)
				} else {
					out
				}
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
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
	use super::*;

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
}
