//! # aetron-worker
//!
//! The miner's side of AETRON (DESIGN §10). This first version holds the chain client; later
//! issues add inference with burn, the artefact store, Merkle batching, registration, heartbeats
//! and re-checks.
#![deny(missing_docs)]

pub mod chain;
