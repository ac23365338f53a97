//! The callers' side: a [`Caller`] signs one cumulative voucher per call, a [`ServiceClient`]
//! sends calls to a metered service over HTTP.

use crate::{
	metering::SignedVoucherOf,
	service::{ChannelReport, ErrorBody, InferRequest, InferResponse},
};
use airtime_primitives::credits::{sign_sr25519, ChannelId, Voucher};
use codec::Encode;
use http_body_util::{BodyExt, Full};
use hyper::{body::Bytes, Method, Request, StatusCode};
use hyper_util::{
	client::legacy::{connect::HttpConnector, Client},
	rt::TokioExecutor,
};
use sp_core::{sr25519, H256};
use thiserror::Error;

/// Signs a channel's vouchers: each call adds the price to the running total.
pub struct Caller {
	pair: sr25519::Pair,
	genesis: H256,
	channel: ChannelId,
	nonce: u32,
	price: u128,
	total: u128,
}

impl Caller {
	/// A caller for `channel` (with its `nonce` and `price`), resuming at `total` signed so far.
	pub fn new(
		pair: sr25519::Pair,
		genesis: H256,
		channel: ChannelId,
		nonce: u32,
		price: u128,
		total: u128,
	) -> Self {
		Self { pair, genesis, channel, nonce, price, total }
	}

	/// The total signed so far.
	pub fn total(&self) -> u128 {
		self.total
	}

	/// The voucher for the next call.
	pub fn next_voucher(&mut self) -> SignedVoucherOf {
		self.total = self.total.saturating_add(self.price);
		self.voucher_for(self.total)
	}

	/// A voucher for an arbitrary total (tests, explicit prepayment).
	pub fn voucher_for(&self, total: u128) -> SignedVoucherOf {
		let voucher = Voucher {
			genesis: self.genesis,
			channel: self.channel,
			channel_nonce: self.nonce,
			total,
		};
		sign_sr25519(voucher, &self.pair)
	}
}

/// Client failures.
#[derive(Debug, Error)]
pub enum ClientError {
	/// The service refused the call.
	#[error("refused ({status}): {code}: {message}")]
	Refused {
		/// HTTP status.
		status: u16,
		/// The refusal code.
		code: String,
		/// The reason.
		message: String,
	},
	/// Transport failure.
	#[error("http: {0}")]
	Http(String),
}

/// An HTTP client of a metered service (keep-alive connections).
pub struct ServiceClient {
	http: Client<HttpConnector, Full<Bytes>>,
	base: String,
}

impl ServiceClient {
	/// A client of the service at `base` (e.g. `http://127.0.0.1:8480`).
	pub fn new(base: &str) -> Self {
		let http = Client::builder(TokioExecutor::new()).build_http();
		Self { http, base: base.trim_end_matches('/').to_string() }
	}

	async fn send(
		&self,
		method: Method,
		path: &str,
		body: Option<Vec<u8>>,
	) -> Result<(StatusCode, Bytes), ClientError> {
		let request = Request::builder()
			.method(method)
			.uri(format!("{}{path}", self.base))
			.header("content-type", "application/json")
			.body(Full::new(Bytes::from(body.unwrap_or_default())))
			.map_err(|e| ClientError::Http(e.to_string()))?;
		let response =
			self.http.request(request).await.map_err(|e| ClientError::Http(e.to_string()))?;
		let status = response.status();
		let bytes = response
			.into_body()
			.collect()
			.await
			.map_err(|e| ClientError::Http(e.to_string()))?
			.to_bytes();
		Ok((status, bytes))
	}

	fn parse<T: serde::de::DeserializeOwned>(
		status: StatusCode,
		bytes: &Bytes,
	) -> Result<T, ClientError> {
		if status.is_success() {
			serde_json::from_slice(bytes).map_err(|e| ClientError::Http(e.to_string()))
		} else {
			let body: ErrorBody = serde_json::from_slice(bytes).unwrap_or(ErrorBody {
				code: "Unknown".into(),
				error: String::from_utf8_lossy(bytes).into_owned(),
			});
			Err(ClientError::Refused {
				status: status.as_u16(),
				code: body.code,
				message: body.error,
			})
		}
	}

	/// One paid call.
	pub async fn infer(
		&self,
		channel: ChannelId,
		input: &[i8],
		voucher: &SignedVoucherOf,
	) -> Result<InferResponse, ClientError> {
		let body = InferRequest {
			channel,
			input: input.to_vec(),
			voucher: format!("0x{}", hex::encode(voucher.encode())),
		};
		let body = serde_json::to_vec(&body).map_err(|e| ClientError::Http(e.to_string()))?;
		let (status, bytes) = self.send(Method::POST, "/v1/infer", Some(body)).await?;
		Self::parse(status, &bytes)
	}

	/// What the service accepted on a channel so far (`None` before the first call).
	pub async fn channel(&self, channel: ChannelId) -> Result<Option<ChannelReport>, ClientError> {
		let (status, bytes) =
			self.send(Method::GET, &format!("/v1/channels/{channel}"), None).await?;
		if status == StatusCode::NOT_FOUND {
			return Ok(None);
		}
		Self::parse(status, &bytes).map(Some)
	}
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
	use super::*;
	use sp_core::Pair;
	use sp_runtime::{AccountId32, MultiSignature};

	#[test]
	fn each_voucher_adds_the_price_and_verifies() {
		let pair = sr25519::Pair::from_string("//Bob", None).unwrap();
		let who: AccountId32 = pair.public().into();
		let mut caller = Caller::new(pair, H256::repeat_byte(3), 5, 9, 7, 14);
		let first = caller.next_voucher();
		let second = caller.next_voucher();
		assert_eq!((first.voucher.total, second.voucher.total), (21, 28));
		assert_eq!(caller.total(), 28);
		assert_eq!((second.voucher.channel, second.voucher.channel_nonce), (5, 9));
		assert!(second.voucher.verify::<MultiSignature>(&second.signature, &who));
	}
}
