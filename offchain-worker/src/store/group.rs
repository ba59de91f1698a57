//! # Group commit
//!
//! Every served request must be durable before it is acknowledged, and a durable write costs an
//! `fsync`: a few milliseconds on a disk, whatever the write's size. One `fsync` a request caps a
//! worker at a few hundred requests a second; a GPU serves thousands. [`GroupCommit`] makes one
//! `fsync` cover every request that arrived while the previous one ran: each thread hands in its
//! item and blocks; if no write is under way it becomes the *leader*, takes every item waiting
//! (its own among them), writes them in one transaction and hands each thread its own result;
//! threads that arrived meanwhile wait for the leader, and the first of them leads the next
//! group. Nobody waits for a timer: a lone request is written at once, and under load the
//! groups grow by themselves to what arrives during one `fsync`.

use std::{
	collections::HashMap,
	sync::{Condvar, Mutex, MutexGuard},
};

use anyhow::{anyhow, Result};

/// Items waiting to be written and the results of written ones, by ticket.
struct State<T, R> {
	waiting: Vec<(u64, T)>,
	results: HashMap<u64, Result<R, String>>,
	next_ticket: u64,
	writing: bool,
	stats: GroupStats,
}

/// What the groups so far looked like.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GroupStats {
	/// Write transactions (one `fsync` each).
	pub groups: u64,
	/// Items written, over all groups.
	pub items: u64,
	/// The largest group.
	pub largest: u64,
}

/// A leader-follower write combiner (see the module's docs).
pub struct GroupCommit<T, R> {
	state: Mutex<State<T, R>>,
	written: Condvar,
}

impl<T, R> Default for GroupCommit<T, R> {
	fn default() -> Self {
		Self {
			state: Mutex::new(State {
				waiting: Vec::new(),
				results: HashMap::new(),
				next_ticket: 0,
				writing: false,
				stats: GroupStats::default(),
			}),
			written: Condvar::new(),
		}
	}
}

/// Clears the leader's flag and wakes the others, also if `write` panicked: the next waiting
/// thread then leads, and a panicking writer's group gets an error instead of a hang.
struct Leading<'a, T, R> {
	group: &'a GroupCommit<T, R>,
	tickets: Vec<u64>,
	results: Option<Result<Vec<R>>>,
}

impl<T, R> Drop for Leading<'_, T, R> {
	fn drop(&mut self) {
		let mut state = self.group.lock();
		state.writing = false;
		let count = self.tickets.len();
		match self.results.take() {
			Some(Ok(results)) if results.len() == count => {
				state.stats.groups += 1;
				state.stats.items += count as u64;
				state.stats.largest = state.stats.largest.max(count as u64);
				for (ticket, result) in self.tickets.drain(..).zip(results) {
					state.results.insert(ticket, Ok(result));
				}
			}
			outcome => {
				let why = match outcome {
					Some(Err(e)) => format!("{e:#}"),
					Some(Ok(results)) => {
						format!("the writer returned {} results for {count} items", results.len())
					}
					None => "the writer panicked".to_string(),
				};
				for ticket in self.tickets.drain(..) {
					state.results.insert(ticket, Err(why.clone()));
				}
			}
		}
		drop(state);
		self.group.written.notify_all();
	}
}

impl<T, R> GroupCommit<T, R> {
	/// Hands in `item` and returns its result once it is written. `write` gets the items of one
	/// group in the order they were handed in and returns their results in the same order; it
	/// runs on one thread at a time.
	pub fn submit(&self, item: T, write: impl FnOnce(Vec<T>) -> Result<Vec<R>>) -> Result<R> {
		let mut state = self.lock();
		let ticket = state.next_ticket;
		state.next_ticket += 1;
		state.waiting.push((ticket, item));
		let mut write = Some(write);
		loop {
			if let Some(result) = state.results.remove(&ticket) {
				return result.map_err(|e| anyhow!(e));
			}
			match write.take() {
				Some(write) if !state.writing => {
					state.writing = true;
					let (tickets, items): (Vec<u64>, Vec<T>) =
						std::mem::take(&mut state.waiting).into_iter().unzip();
					drop(state);
					let mut leading = Leading { group: self, tickets, results: None };
					leading.results = Some(write(items));
					drop(leading);
					state = self.lock();
				}
				other => {
					write = other;
					state = self.written.wait(state).unwrap_or_else(|p| p.into_inner());
				}
			}
		}
	}

	/// The groups written so far.
	pub fn stats(&self) -> GroupStats {
		self.lock().stats
	}

	fn lock(&self) -> MutexGuard<'_, State<T, R>> {
		// No invariant spans a panic: `Leading` settles the state before the lock is released.
		self.state.lock().unwrap_or_else(|p| p.into_inner())
	}
}

#[cfg(test)]
mod tests {
	use std::{
		sync::{Arc, Barrier},
		thread,
		time::Duration,
	};

	use super::*;

	#[test]
	fn a_lone_item_is_written_at_once_in_a_group_of_one() {
		let group = GroupCommit::<u32, u32>::default();
		assert_eq!(group.submit(7, |items| Ok(items.iter().map(|i| i * 2).collect())).unwrap(), 14);
		assert_eq!(group.stats(), GroupStats { groups: 1, items: 1, largest: 1 });
	}

	#[test]
	fn items_arriving_during_a_write_share_the_next_group_and_each_gets_its_own_result() {
		let group = Arc::new(GroupCommit::<u32, u32>::default());
		let threads = 16;
		let start = Arc::new(Barrier::new(threads));
		let handles: Vec<_> = (0..threads as u32)
			.map(|n| {
				let (group, start) = (group.clone(), start.clone());
				thread::spawn(move || {
					start.wait();
					group
						.submit(n, |items| {
							// A slow "fsync", so the others pile up behind it.
							thread::sleep(Duration::from_millis(20));
							Ok(items.iter().map(|i| i + 1000).collect())
						})
						.unwrap()
				})
			})
			.collect();
		let results: Vec<u32> = handles.into_iter().map(|h| h.join().unwrap()).collect();
		assert_eq!(results, (1000..1000 + threads as u32).collect::<Vec<_>>());
		let stats = group.stats();
		assert_eq!(stats.items, threads as u64);
		assert!(stats.groups < threads as u64, "some writes were shared: {stats:?}");
		assert!(stats.largest > 1, "{stats:?}");
	}

	#[test]
	fn a_failed_write_fails_every_item_of_its_group_and_the_next_group_goes_on() {
		let group = GroupCommit::<u32, u32>::default();
		let err = group.submit(1, |_| Err(anyhow!("disk full"))).unwrap_err();
		assert!(format!("{err}").contains("disk full"), "{err}");
		let short = group.submit(2, |_| Ok(vec![])).unwrap_err();
		assert!(format!("{short}").contains("0 results for 1 items"), "{short}");
		assert_eq!(group.submit(3, |items| Ok(items)).unwrap(), 3);
		assert_eq!(group.stats().groups, 1, "only the successful write counts");
	}

	#[test]
	fn a_panicking_writer_fails_its_group_without_blocking_the_next() {
		let group = Arc::new(GroupCommit::<u32, u32>::default());
		let g = group.clone();
		let panicked = thread::spawn(move || g.submit(1, |_| panic!("writer bug"))).join();
		assert!(panicked.is_err());
		assert_eq!(group.submit(2, |items| Ok(items)).unwrap(), 2);
	}
}
