//! # aetron-worker
//!
//! The miner's side of AETRON (DESIGN §10). It holds the chain client ([`chain`]) and the
//! crash-safe artefact store with its Merkle-sum batches ([`store`]); later issues add inference
//! with burn, the HTTP API, registration, heartbeats and re-checks.
#![deny(missing_docs)]

pub mod chain;
pub mod store;
