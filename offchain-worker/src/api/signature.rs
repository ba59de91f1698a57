//! Client signatures: sr25519 over the BLAKE2b-256 hash of the request body.
//!
//! A client sends `X-Aetron-Signer: 0x<32-byte public key>` and
//! `X-Aetron-Signature: 0x<64-byte signature>`. The hash of the signature bytes goes into the
//! artefact, so a committed leaf can be tied to a request its client really made.

use axum::http::HeaderMap;
use sp_core::{crypto::Pair as _, sr25519};

use super::error::ApiError;

/// The header holding the signer's public key.
pub const SIGNER_HEADER: &str = "x-aetron-signer";
/// The header holding the signature.
pub const SIGNATURE_HEADER: &str = "x-aetron-signature";

/// The message a client signs: the BLAKE2b-256 hash of the body.
pub fn message(body: &[u8]) -> [u8; 32] {
	sp_crypto_hashing::blake2_256(body)
}

/// Checks the request's signature. Returns the hash of the signature bytes for the artefact,
/// all zeros when the request is unsigned and signatures are optional.
pub fn check(headers: &HeaderMap, body: &[u8], required: bool) -> Result<[u8; 32], ApiError> {
	let (signer, signature) = (headers.get(SIGNER_HEADER), headers.get(SIGNATURE_HEADER));
	let (signer, signature) = match (signer, signature) {
		(None, None) if !required => return Ok([0; 32]),
		(None, None) => {
			return Err(ApiError::unauthorized(format!(
				"This worker requires signed requests: send `{SIGNER_HEADER}` and `{SIGNATURE_HEADER}`."
			)))
		}
		(Some(signer), Some(signature)) => (signer, signature),
		_ => {
			return Err(ApiError::unauthorized(format!(
				"Send both `{SIGNER_HEADER}` and `{SIGNATURE_HEADER}`, or neither."
			)))
		}
	};
	let public: [u8; 32] = hex_bytes(signer.as_bytes()).ok_or_else(|| {
		ApiError::unauthorized(format!("`{SIGNER_HEADER}` is not a 32-byte hex key."))
	})?;
	let signature: [u8; 64] = hex_bytes(signature.as_bytes()).ok_or_else(|| {
		ApiError::unauthorized(format!("`{SIGNATURE_HEADER}` is not a 64-byte hex signature."))
	})?;
	let valid = sr25519::Pair::verify(
		&sr25519::Signature::from_raw(signature),
		message(body),
		&sr25519::Public::from_raw(public),
	);
	if !valid {
		return Err(ApiError::unauthorized(
			"The signature does not match the request body and signer.",
		));
	}
	Ok(sp_crypto_hashing::blake2_256(&signature))
}

fn hex_bytes<const N: usize>(text: &[u8]) -> Option<[u8; N]> {
	let text = std::str::from_utf8(text).ok()?.trim();
	let bytes = hex::decode(text.strip_prefix("0x").unwrap_or(text)).ok()?;
	bytes.try_into().ok()
}
