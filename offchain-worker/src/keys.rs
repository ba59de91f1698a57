//! The keys a worker signs with.
//!
//! - The *coldkey* registers and pays; it is given as a secret URI (`--suri`), which on a dev
//!   chain is `//Alice` and in production comes from the miner's wallet.
//! - The *hotkey* signs heartbeats and reference checks. It lives in a keystore file that holds
//!   its secret phrase (mode 0600); `mine` creates one on first start, so a restarted worker
//!   signs with the same key and finds its slot again. `--hotkey-suri` overrides the file.

use std::{io::Write, path::Path};

use anyhow::{Context, Result};
use subxt_signer::{sr25519::Keypair, SecretUri};

/// A keypair from a secret URI (`//Alice`, a mnemonic, a hex seed, with derivations).
pub fn from_suri(suri: &str) -> Result<Keypair> {
	let uri: SecretUri = suri.trim().parse().map_err(|e| anyhow::anyhow!("bad secret URI: {e}"))?;
	Keypair::from_uri(&uri).map_err(|e| anyhow::anyhow!("bad secret URI: {e}"))
}

/// The hotkey in the keystore file at `path`, created with a new random phrase if absent.
pub fn load_or_create(path: &Path) -> Result<Keypair> {
	if path.exists() {
		let suri = std::fs::read_to_string(path)
			.with_context(|| format!("reading the keystore file {}", path.display()))?;
		return from_suri(&suri).with_context(|| format!("keystore file {}", path.display()));
	}
	if let Some(dir) = path.parent() {
		std::fs::create_dir_all(dir)?;
	}
	let (_, phrase, _) = <sp_core::sr25519::Pair as sp_core::Pair>::generate_with_phrase(None);
	let mut options = std::fs::OpenOptions::new();
	options.write(true).create_new(true);
	#[cfg(unix)]
	std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
	let mut file = options
		.open(path)
		.with_context(|| format!("creating the keystore file {}", path.display()))?;
	file.write_all(phrase.as_bytes())?;
	file.sync_all()?;
	tracing::info!(path = %path.display(), "created a new hotkey");
	from_suri(&phrase)
}

/// The hotkey: from `suri` when given, else from the keystore file.
pub fn hotkey(suri: Option<&str>, keystore: &Path) -> Result<Keypair> {
	match suri {
		Some(suri) => from_suri(suri),
		None => load_or_create(keystore),
	}
}

/// An account's SS58 address (prefix 42), as polkadot.js shows it.
pub fn address(account: &[u8; 32]) -> String {
	use sp_core::crypto::Ss58Codec;
	sp_core::crypto::AccountId32::from(*account)
		.to_ss58check_with_version(sp_core::crypto::Ss58AddressFormat::custom(42))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_keystore_file_is_created_once_and_reused() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("keys/hotkey");
		let first = load_or_create(&path).unwrap();
		let again = load_or_create(&path).unwrap();
		assert_eq!(first.public_key().0, again.public_key().0);
		#[cfg(unix)]
		{
			use std::os::unix::fs::PermissionsExt;
			assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
		}
		let alice = hotkey(Some("//Alice"), &path).unwrap();
		assert_ne!(alice.public_key().0, first.public_key().0, "--hotkey-suri wins");
		assert!(address(&alice.public_key().0).starts_with("5GrwvaEF"));
		std::fs::write(&path, "not a phrase").unwrap();
		assert!(load_or_create(&path).is_err());
	}
}
