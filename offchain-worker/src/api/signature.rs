//! Client signatures: sr25519 over `BLAKE2b-256("AETRON/request/v2" ‖ slot ‖ body)`.
//!
//! A client sends `X-Aetron-Signer: 0x<32-byte public key>` and
//! `X-Aetron-Signature: 0x<64-byte signature>`. The slot (little-endian `u64`, the serving
//! worker's slot as `/health` reports it) is signed with the body, so a signed request cannot be
//! claimed by another slot. The hash of the signature bytes goes into the artefact and the
//! signer and signature into the store, so a re-checker ties a committed leaf to a request its
//! client really made to this slot.

use axum::http::HeaderMap;
use sp_core::{crypto::Pair as _, sr25519};

use super::error::ApiError;

/// The header holding the signer's public key.
pub const SIGNER_HEADER: &str = "x-aetron-signer";
/// The header holding the signature.
pub const SIGNATURE_HEADER: &str = "x-aetron-signature";

/// Domain of the signed message.
pub const DOMAIN: &[u8] = b"AETRON/request/v2";

/// The message a client signs for a request to `slot`.
pub fn message(slot: u64, body: &[u8]) -> [u8; 32] {
	let mut preimage = Vec::with_capacity(DOMAIN.len() + 8 + body.len());
	preimage.extend_from_slice(DOMAIN);
	preimage.extend_from_slice(&slot.to_le_bytes());
	preimage.extend_from_slice(body);
	sp_crypto_hashing::blake2_256(&preimage)
}

/// A client's signature as the store keeps it.
pub type ClientSignature = Option<([u8; 32], [u8; 64])>;

/// Whether `signature` by `signer` signs `body` for `slot`.
pub fn verify(signer: &[u8; 32], signature: &[u8; 64], slot: u64, body: &[u8]) -> bool {
	sr25519::Pair::verify(
		&sr25519::Signature::from_raw(*signature),
		message(slot, body),
		&sr25519::Public::from_raw(*signer),
	)
}

/// Checks the request's signature for `slot`. Returns the hash of the signature bytes for the
/// artefact (all zeros when the request is unsigned and signatures are optional) and the
/// signer with the signature.
pub fn check(
	headers: &HeaderMap,
	body: &[u8],
	slot: u64,
	required: bool,
) -> Result<([u8; 32], ClientSignature), ApiError> {
	let (signer, signature) = (headers.get(SIGNER_HEADER), headers.get(SIGNATURE_HEADER));
	let (signer, signature) = match (signer, signature) {
		(None, None) if !required => return Ok(([0; 32], None)),
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
	if !verify(&public, &signature, slot, body) {
		return Err(ApiError::unauthorized(
			"The signature does not match the request body, this worker's slot and the signer.",
		));
	}
	Ok((sp_crypto_hashing::blake2_256(&signature), Some((public, signature))))
}

fn hex_bytes<const N: usize>(text: &[u8]) -> Option<[u8; N]> {
	let text = std::str::from_utf8(text).ok()?.trim();
	let bytes = hex::decode(text.strip_prefix("0x").unwrap_or(text)).ok()?;
	bytes.try_into().ok()
}
