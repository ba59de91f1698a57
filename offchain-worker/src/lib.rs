//! # aetron-worker
//!
//! The miner's side of AETRON (DESIGN §10): the inference engine ([`inference`]), the
//! crash-safe artefact store with its Merkle-sum batches ([`store`], pruned by [`pruner`]), the
//! OpenAI-compatible HTTP API ([`api`]), re-checks of other workers' responses ([`recheck`]), hardware detection
//! ([`hardware`]), the chain client ([`chain`], [`registration`], [`work`], [`arbitration`],
//! [`emission`]), keys ([`keys`]), joining a neuronet ([`joining`], [`market`], [`miner`]), the
//! loops `mine` supervises (committing batches, [`committer`]; re-checking others,
//! [`rechecker`]; disputes, [`arbiter`]; claiming payouts, [`claimer`]), `status` ([`status`])
//! and owners' spec files ([`spec`]).
#![deny(missing_docs)]

pub mod api;
pub mod arbiter;
pub mod arbitration;
pub mod bench;
pub mod chain;
pub mod claimer;
pub mod claims;
pub mod committer;
pub mod emission;
pub mod hardware;
pub mod inference;
pub mod joining;
pub mod keys;
pub mod load;
pub mod market;
pub mod miner;
pub mod pruner;
pub mod recheck;
pub mod rechecker;
pub mod registration;
pub mod spec;
pub mod status;
pub mod store;
pub mod work;
