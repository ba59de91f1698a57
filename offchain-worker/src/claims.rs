//! One task per chain item with something due (a re-check assignment, a dispute), never two
//! for the same item.
//!
//! The re-check and dispute loops poll the chain every few seconds, and each item's work
//! (fetches, a re-computation, transactions that wait for their block) can take longer than a
//! poll. Run in line, one item's work delays every other item's reveal, whose window is a few
//! blocks; run in a task of its own, it delays nothing. [`Claims`] remembers which items a
//! task is handling, so the next poll skips them instead of starting a second task.

use std::{
	collections::HashSet,
	future::Future,
	sync::{Arc, Mutex},
};

/// The items (batch or dispute ids) whose task is running.
#[derive(Clone, Default)]
pub struct Claims(Arc<Mutex<HashSet<u64>>>);

impl Claims {
	/// Spawns `work` for item `id` unless a task for `id` is running already; says whether it
	/// did. The claim is released when the task ends, however it ends (a panic included).
	pub fn spawn<F>(&self, id: u64, work: F) -> bool
	where
		F: Future<Output = ()> + Send + 'static,
	{
		let Some(claim) = Claim::take(self, id) else { return false };
		tokio::spawn(async move {
			let _claim = claim;
			work.await;
		});
		true
	}

	/// Whether a task for `id` is running.
	pub fn holds(&self, id: u64) -> bool {
		self.set().contains(&id)
	}

	fn set(&self) -> std::sync::MutexGuard<'_, HashSet<u64>> {
		// The set is consistent after any panic: inserts and removes are single calls.
		self.0.lock().unwrap_or_else(|e| e.into_inner())
	}
}

/// A task's hold on one item.
struct Claim {
	claims: Claims,
	id: u64,
}

impl Claim {
	fn take(claims: &Claims, id: u64) -> Option<Self> {
		claims.set().insert(id).then(|| Self { claims: claims.clone(), id })
	}
}

impl Drop for Claim {
	fn drop(&mut self) {
		self.claims.set().remove(&self.id);
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::time::Duration;
	use tokio::sync::oneshot;

	async fn released(claims: &Claims, id: u64) {
		tokio::time::timeout(Duration::from_secs(5), async {
			while claims.holds(id) {
				tokio::task::yield_now().await;
			}
		})
		.await
		.expect("the claim is released");
	}

	#[tokio::test]
	async fn an_item_gets_one_task_at_a_time_and_another_once_it_ends() {
		let claims = Claims::default();
		let (finish, finished) = oneshot::channel::<()>();
		assert!(claims.spawn(7, async move {
			let _ = finished.await;
		}));
		assert!(claims.holds(7));
		assert!(!claims.spawn(7, async {}), "a second task for a running item");
		assert!(claims.spawn(8, async {}), "another item is not held back");
		finish.send(()).unwrap();
		released(&claims, 7).await;
		assert!(claims.spawn(7, async {}), "a new task once the first ended");
	}

	#[tokio::test]
	async fn a_task_that_panics_releases_its_item() {
		let claims = Claims::default();
		assert!(claims.spawn(3, async { panic!("the task fails") }));
		released(&claims, 3).await;
		assert!(!claims.holds(3));
	}
}
