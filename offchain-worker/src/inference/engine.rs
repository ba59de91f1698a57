//! The serving engine (DESIGN §16): one thread owns the model and runs every job on it, and
//! concurrent embedding requests share forward passes.
//!
//! Requests queue in arrival order. When the model thread picks up an embedding request it
//! takes every embedding request queued behind it, and waits at most `max_wait` for more while
//! the gathered inputs are fewer than `max_batch`; then it runs the gathered inputs, shortest
//! first, in forward passes of at most `max_batch` sequences and hands each request exactly its
//! own embeddings. Padding is masked, so an input's embedding does not depend on its
//! neighbours beyond floating-point rounding (measured in `docs/measurements.md`, Serving
//! engine).
//!
//! Completions batch continuously: each new completion is prefilled alone and joins the
//! running sequences, and every decoding step advances all of them (at most `max_batch`) in one
//! forward pass, each over its own KV cache; a sequence leaves the batch as it finishes and is
//! answered at once. Any other job (a completion's re-check) runs alone, between steps.
//!
//! The worker's own embeddings (re-checks, DESIGN §6) ride in the same passes as client
//! requests, after them: in a gathered group they sort behind every client input, so a client
//! waits for a re-check only where a pass has room to spare. A group that holds only the
//! worker's own inputs may wait for client inputs to share its pass: a re-check has the
//! chain's commit window (tens of seconds) to spare and a client has nothing, and a lone row
//! costs about three times its share of a full pass. It waits only while clients are being
//! served (one was within `own_wait`: on an idle worker nobody is coming), and no longer than
//! the hold its sender allows or `own_wait`, whichever ends first. A client input that joins
//! such a group waits no longer than `max_wait`. Each pass's time is split between serving and
//! re-checking by its rows (padding makes every row of a pass cost the same), so
//! `/health`'s re-check share is what re-checking costs the worker, not what a lone
//! re-computation would.
//!
//! The queue is bounded by the number of inputs waiting (`max_queue`): a client request that
//! would overfill it is refused at once with [`EngineError::Overloaded`] (429 in the API), so a
//! worker under overload answers quickly instead of letting latency grow without bound. Jobs
//! the worker sends itself (re-checks, arbitration) are never refused: they are few, and the
//! chain's deadlines do not wait.

use std::{
	collections::VecDeque,
	sync::{
		atomic::{AtomicU64, AtomicUsize, Ordering},
		mpsc, Arc,
	},
	time::{Duration, Instant},
};

use super::{Generation, Model, SamplingParams, Sequence};

/// How the engine gathers requests into forward passes.
#[derive(Clone, Copy, Debug)]
pub struct Batching {
	/// The most sequences one forward pass takes.
	pub max_batch: usize,
	/// How long a gathered batch smaller than `max_batch` waits for more requests.
	pub max_wait: Duration,
	/// The most inputs that may wait; client requests beyond it are refused.
	pub max_queue: usize,
	/// The longest a group of only the worker's own inputs (re-checks) waits for client
	/// inputs to share its pass; and how recently a client must have been served for it to
	/// wait at all.
	pub own_wait: Duration,
}

impl Default for Batching {
	fn default() -> Self {
		Self {
			max_batch: 32,
			max_wait: Duration::from_millis(2),
			max_queue: 1024,
			own_wait: Duration::from_secs(1),
		}
	}
}

/// Why a job did not run.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
	/// The queue is full; the client should retry after `retry_after`.
	#[error("the worker is at capacity: {queued} inputs are waiting (at most {capacity})")]
	Overloaded {
		/// Inputs waiting.
		queued: usize,
		/// The queue's bound.
		capacity: usize,
		/// About how long the queue takes to drain.
		retry_after: Duration,
	},
	/// The model thread dropped the job: it panicked on it, or the thread is gone.
	#[error("the model thread lost the job (it panicked or stopped)")]
	Lost,
	/// The job ran and failed.
	#[error(transparent)]
	Failed(#[from] anyhow::Error),
}

/// What the engine has done so far (the API's `/metrics` and `/health` report it).
#[derive(Debug, Default)]
pub struct EngineCounters {
	/// Nanoseconds the model spent on client requests.
	pub serving_nanos: AtomicU64,
	/// Nanoseconds the model spent on the worker's own jobs (re-checks, arbitration).
	pub internal_nanos: AtomicU64,
	/// Batched forward passes: of embeddings, or decoding steps.
	pub passes: AtomicU64,
	/// Sequences in those passes.
	pub sequences: AtomicU64,
}

/// Called after every batched forward pass (embeddings, or one decoding step of the running
/// completions) with the number of sequences it held and how long it took (the API's
/// batch-size histogram).
pub type PassObserver = Box<dyn Fn(usize, Duration) + Send + Sync>;

type Run = Box<dyn FnOnce(&Model) + Send>;

struct EmbedJob {
	inputs: Vec<Vec<u32>>,
	/// The worker's own (a re-check): never refused, sorted behind client inputs, its rows'
	/// time counted apart, and run no later than this while it waits for client traffic.
	/// `None` for a client's.
	own: Option<Instant>,
	reply: tokio::sync::oneshot::Sender<anyhow::Result<Vec<Vec<f32>>>>,
}

/// A completion to generate.
struct CompleteJob {
	prompt: Vec<u32>,
	max_new: usize,
	params: SamplingParams,
	seed: u64,
	reply: tokio::sync::oneshot::Sender<anyhow::Result<Generation>>,
}

/// A completion being generated, with whom to answer.
struct Running {
	sequence: Sequence,
	reply: tokio::sync::oneshot::Sender<anyhow::Result<Generation>>,
}

enum Job {
	Embed(EmbedJob),
	Complete(CompleteJob),
	/// The worker's own job (a re-check): never refused, its time counted apart.
	Run(Run),
}

/// A job taken off the queue, with the embedding requests gathered behind it.
enum Work {
	Embed(Vec<EmbedJob>),
	Complete(CompleteJob),
	Run(Run),
}

impl Job {
	/// How many inputs the job holds in the queue's count.
	fn weight(&self) -> usize {
		match self {
			Job::Embed(job) => job.inputs.len(),
			Job::Complete(_) | Job::Run(_) => 1,
		}
	}

	/// Whether a full queue refuses the job: client requests only.
	fn refusable(&self) -> bool {
		match self {
			Job::Embed(job) => job.own.is_none(),
			Job::Complete(_) => true,
			Job::Run(_) => false,
		}
	}
}

/// The handle to the model thread; cheap to share behind an `Arc`.
pub struct Engine {
	jobs: mpsc::Sender<Job>,
	queued: Arc<AtomicUsize>,
	/// Nanoseconds per input of the last embedding pass, for `Retry-After`.
	nanos_per_input: Arc<AtomicU64>,
	config: Batching,
	counters: Arc<EngineCounters>,
}

impl Engine {
	/// Moves `model` onto its own thread and starts serving jobs.
	pub fn start(model: Model, config: Batching, observe: PassObserver) -> anyhow::Result<Self> {
		anyhow::ensure!(
			(1..=super::MAX_BATCH).contains(&config.max_batch),
			"the maximum batch is 1 to {}, not {}",
			super::MAX_BATCH,
			config.max_batch
		);
		let (jobs, queue) = mpsc::channel();
		let queued = Arc::new(AtomicUsize::new(0));
		let nanos_per_input = Arc::new(AtomicU64::new(0));
		let counters = Arc::new(EngineCounters::default());
		let thread = ModelThread {
			model,
			queue,
			held: VecDeque::new(),
			config,
			queued: queued.clone(),
			nanos_per_input: nanos_per_input.clone(),
			counters: counters.clone(),
			observe,
			last_client: None,
		};
		std::thread::Builder::new().name("aetron-model".into()).spawn(move || thread.run())?;
		Ok(Self { jobs, queued, nanos_per_input, config, counters })
	}

	/// The embeddings of tokenized `inputs`, in order, from forward passes shared with other
	/// requests.
	pub async fn embed(&self, inputs: Vec<Vec<u32>>) -> Result<Vec<Vec<f32>>, EngineError> {
		self.embed_as(inputs, None).await
	}

	/// The worker's own embeddings of tokenized `inputs` (a re-check's re-computation), in the
	/// same forward passes as client requests but behind them, waiting at most `hold` (and
	/// `own_wait`) for client traffic to share a pass with. A full queue never refuses them,
	/// and their rows' share of each pass counts as re-checking.
	pub async fn embed_own(
		&self,
		inputs: Vec<Vec<u32>>,
		hold: Duration,
	) -> Result<Vec<Vec<f32>>, EngineError> {
		let now = Instant::now();
		self.embed_as(inputs, Some(now.checked_add(hold).unwrap_or(now))).await
	}

	async fn embed_as(
		&self,
		inputs: Vec<Vec<u32>>,
		own: Option<Instant>,
	) -> Result<Vec<Vec<f32>>, EngineError> {
		let (reply, answer) = tokio::sync::oneshot::channel();
		self.send(Job::Embed(EmbedJob { inputs, own, reply }))?;
		answer.await.map_err(|_| EngineError::Lost)?.map_err(EngineError::Failed)
	}

	/// Generates a completion of `prompt`, stepping it together with the others running.
	pub async fn complete(
		&self,
		prompt: Vec<u32>,
		max_new: usize,
		params: SamplingParams,
		seed: u64,
	) -> Result<Generation, EngineError> {
		let (reply, answer) = tokio::sync::oneshot::channel();
		let job = CompleteJob { prompt, max_new, params, seed, reply };
		self.send(Job::Complete(job))?;
		answer.await.map_err(|_| EngineError::Lost)?.map_err(EngineError::Failed)
	}

	/// Runs the worker's own `job` (a re-check) alone on the model, in its turn. A full
	/// queue never refuses it, and its model time counts apart from serving.
	pub async fn run<T: Send + 'static>(
		&self,
		job: impl FnOnce(&Model) -> T + Send + 'static,
	) -> Result<T, EngineError> {
		let (reply, answer) = tokio::sync::oneshot::channel();
		let job: Run = Box::new(move |model| {
			let _ = reply.send(job(model));
		});
		self.send(Job::Run(job))?;
		answer.await.map_err(|_| EngineError::Lost)
	}

	/// Inputs waiting now.
	pub fn queued(&self) -> usize {
		self.queued.load(Ordering::Relaxed)
	}

	/// What the engine has done so far.
	pub fn counters(&self) -> &EngineCounters {
		&self.counters
	}

	fn send(&self, job: Job) -> Result<(), EngineError> {
		let weight = job.weight();
		let refusable = job.refusable();
		let before = self.queued.fetch_add(weight, Ordering::AcqRel);
		// An empty queue takes any one request, so no request is too large to ever run.
		if refusable && before > 0 && before + weight > self.config.max_queue {
			self.queued.fetch_sub(weight, Ordering::AcqRel);
			let per_input = self.nanos_per_input.load(Ordering::Relaxed);
			let drain = Duration::from_nanos(per_input.saturating_mul(before as u64));
			return Err(EngineError::Overloaded {
				queued: before,
				capacity: self.config.max_queue,
				retry_after: drain.max(Duration::from_secs(1)),
			});
		}
		self.jobs.send(job).map_err(|_| {
			self.queued.fetch_sub(weight, Ordering::AcqRel);
			EngineError::Lost
		})
	}
}

/// The thread that owns the model.
struct ModelThread {
	model: Model,
	queue: mpsc::Receiver<Job>,
	/// Jobs taken off the queue while gathering a batch, to run right after it in order.
	held: VecDeque<Job>,
	config: Batching,
	queued: Arc<AtomicUsize>,
	nanos_per_input: Arc<AtomicU64>,
	counters: Arc<EngineCounters>,
	observe: PassObserver,
	/// When the last client input was gathered: the worker's own inputs wait for traffic
	/// only while it flows.
	last_client: Option<Instant>,
}

impl ModelThread {
	/// Runs jobs until every [`Engine`] handle is dropped. While completions run, each round
	/// takes the jobs waiting (new completions join while there is room) and then advances
	/// every running completion by one token. A job that panics loses only its own answers
	/// (its callers get [`EngineError::Lost`]); the thread goes on.
	fn run(mut self) {
		let mut running: Vec<Running> = Vec::new();
		loop {
			if running.is_empty() {
				let job = match self.held.pop_front() {
					Some(job) => job,
					None => match self.queue.recv() {
						Ok(job) => job,
						Err(mpsc::RecvError) => return,
					},
				};
				self.execute(job, &mut running);
				continue;
			}
			while running.len() < self.config.max_batch {
				let job = match self.held.pop_front() {
					Some(job) => job,
					None => match self.queue.try_recv() {
						Ok(job) => job,
						Err(_) => break,
					},
				};
				self.execute(job, &mut running);
			}
			self.step(&mut running);
		}
	}

	/// Runs one job taken off the queue, and counts its model time and its leaving the queue.
	fn execute(&mut self, job: Job, running: &mut Vec<Running>) {
		let (work, weight) = match job {
			Job::Embed(first) => {
				let group = self.gather(first);
				let weight = group.iter().map(|job| job.inputs.len()).sum();
				(Work::Embed(group), weight)
			}
			Job::Complete(job) => (Work::Complete(job), 1),
			Job::Run(job) => (Work::Run(job), 1),
		};
		// Embedding passes split their own time between serving and re-checking.
		let counters = self.counters.clone();
		let busy = match work {
			Work::Embed(_) => None,
			Work::Complete(_) => Some(&counters.serving_nanos),
			Work::Run(_) => Some(&counters.internal_nanos),
		};
		let started = Instant::now();
		let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match work {
			Work::Embed(group) => self.embed(group),
			Work::Complete(job) => self.start(job, running),
			Work::Run(job) => job(&self.model),
		}));
		if ran.is_err() {
			tracing::error!("a job panicked on the model thread; its callers get an error");
		}
		if let Some(busy) = busy {
			busy.fetch_add(nanos(started.elapsed()), Ordering::Relaxed);
		}
		self.queued.fetch_sub(weight, Ordering::AcqRel);
	}

	/// Prefills a new completion and lets it join the running ones (or answers it at once if
	/// its first token already ends it).
	fn start(&mut self, job: CompleteJob, running: &mut Vec<Running>) {
		let Model::Completion(model) = &self.model else {
			let _ = job.reply.send(Err(anyhow::anyhow!("this model does not complete text")));
			return;
		};
		match model.start(&job.prompt, job.max_new, job.params, job.seed) {
			Ok(sequence) if sequence.is_done() => {
				let _ = job.reply.send(Ok(sequence.into_generation()));
			}
			Ok(sequence) => running.push(Running { sequence, reply: job.reply }),
			Err(e) => {
				let _ = job.reply.send(Err(e));
			}
		}
	}

	/// Advances every running completion by one token in one forward pass and answers those
	/// that finished. A failed or panicking step fails every sequence in it.
	fn step(&mut self, running: &mut Vec<Running>) {
		let Model::Completion(model) = &self.model else {
			running.clear();
			return;
		};
		let started = Instant::now();
		let stepped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
			let mut sequences: Vec<&mut Sequence> =
				running.iter_mut().map(|r| &mut r.sequence).collect();
			model.step(&mut sequences)
		}));
		let took = started.elapsed();
		self.counters.serving_nanos.fetch_add(nanos(took), Ordering::Relaxed);
		self.counters.passes.fetch_add(1, Ordering::Relaxed);
		self.counters.sequences.fetch_add(running.len() as u64, Ordering::Relaxed);
		(self.observe)(running.len(), took);
		let failure = match stepped {
			Ok(Ok(())) => None,
			Ok(Err(e)) => Some(format!("{e:#}")),
			Err(_) => Some("the decoding step panicked".to_string()),
		};
		if let Some(why) = failure {
			tracing::error!("a decoding step failed: {why}");
			for r in running.drain(..) {
				let _ = r.reply.send(Err(anyhow::anyhow!("the decoding step failed: {why}")));
			}
			return;
		}
		let (done, still): (Vec<_>, Vec<_>) = running.drain(..).partition(|r| r.sequence.is_done());
		*running = still;
		for r in done {
			let _ = r.reply.send(Ok(r.sequence.into_generation()));
		}
	}

	/// `first` and the embedding requests behind it, up to `max_batch` inputs: everything
	/// queued now, then whatever arrives within `max_wait` of the first client input. While
	/// the group holds only the worker's own inputs and clients have been served within
	/// `own_wait`, it waits for one until the earliest of its inputs' holds (and `own_wait`).
	/// Other jobs met on the way are held to run next, in their order (and end the wait).
	fn gather(&mut self, first: EmbedJob) -> Vec<EmbedJob> {
		let Batching { max_batch, max_wait, own_wait, .. } = self.config;
		let started = Instant::now();
		let traffic = self.last_client.is_some_and(|at| started.duration_since(at) <= own_wait);
		let mut deadline = match first.own {
			Some(hold) if traffic => hold.min(started + own_wait),
			_ => started + max_wait,
		};
		let mut inputs = first.inputs.len();
		let mut group = vec![first];
		while inputs < max_batch && self.held.is_empty() {
			let next = match self.queue.try_recv() {
				Ok(job) => Ok(job),
				Err(mpsc::TryRecvError::Empty) => {
					let left = deadline.saturating_duration_since(Instant::now());
					if left.is_zero() {
						break;
					}
					self.queue.recv_timeout(left).map_err(|_| ())
				}
				Err(mpsc::TryRecvError::Disconnected) => Err(()),
			};
			match next {
				Ok(Job::Embed(job)) => {
					match job.own {
						Some(hold) => deadline = deadline.min(hold.max(started + max_wait)),
						None => deadline = deadline.min(Instant::now() + max_wait),
					}
					inputs += job.inputs.len();
					group.push(job);
				}
				Ok(other) => self.held.push_back(other),
				Err(()) => break,
			}
		}
		if group.iter().any(|job| job.own.is_none()) {
			self.last_client = Some(Instant::now());
		}
		group
	}

	/// Runs a gathered group's inputs, shortest first (least padding), in passes of at most
	/// `max_batch`, and answers each request with its own embeddings in its own order.
	fn embed(&mut self, group: Vec<EmbedJob>) {
		let Model::Embedding(model) = &self.model else {
			for job in group {
				let _ = job.reply.send(Err(anyhow::anyhow!("this model does not embed")));
			}
			return;
		};
		// (own, length, request, input) of every input: client inputs first, each kind
		// shortest first.
		let mut order: Vec<(bool, usize, usize, usize)> = group
			.iter()
			.enumerate()
			.flat_map(|(r, job)| {
				let own = job.own.is_some();
				job.inputs.iter().enumerate().map(move |(i, x)| (own, x.len(), r, i))
			})
			.collect();
		order.sort_unstable();
		let mut answers: Vec<Vec<Vec<f32>>> =
			group.iter().map(|job| vec![Vec::new(); job.inputs.len()]).collect();
		let mut failure = None;
		for pass in order.chunks(self.config.max_batch) {
			let batch: Vec<Vec<u32>> =
				pass.iter().map(|&(_, _, r, i)| group[r].inputs[i].clone()).collect();
			let pass_started = Instant::now();
			let ran = model.embed(&batch);
			let took = pass_started.elapsed();
			let own = pass.iter().filter(|&&(own, ..)| own).count();
			let (serving, internal) = split(took, pass.len() - own, own);
			self.counters.serving_nanos.fetch_add(serving, Ordering::Relaxed);
			self.counters.internal_nanos.fetch_add(internal, Ordering::Relaxed);
			match ran {
				Ok(embeddings) => {
					for (&(_, _, r, i), embedding) in pass.iter().zip(embeddings) {
						answers[r][i] = embedding;
					}
				}
				Err(e) => {
					failure = Some(e);
					break;
				}
			}
			self.counters.passes.fetch_add(1, Ordering::Relaxed);
			self.counters.sequences.fetch_add(pass.len() as u64, Ordering::Relaxed);
			self.nanos_per_input.store(nanos(took) / pass.len() as u64, Ordering::Relaxed);
			(self.observe)(pass.len(), took);
		}
		for (job, answer) in group.into_iter().zip(answers) {
			let result = match &failure {
				None => Ok(answer),
				Some(e) => Err(anyhow::anyhow!("the forward pass failed: {e:#}")),
			};
			let _ = job.reply.send(result);
		}
	}
}

fn nanos(d: Duration) -> u64 {
	u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// `took` split between `serving` and `own` rows of one pass, in nanoseconds: each row's
/// share is the same, and the two parts add up to the whole.
fn split(took: Duration, serving: usize, own: usize) -> (u64, u64) {
	let total = nanos(took);
	let rows = (serving + own) as u128;
	if rows == 0 {
		return (total, 0);
	}
	let internal = (u128::from(total) * own as u128 / rows) as u64;
	(total - internal, internal)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_pass_splits_by_rows_and_adds_up() {
		let took = Duration::from_nanos(1_000_001);
		assert_eq!(split(took, 3, 0), (1_000_001, 0));
		assert_eq!(split(took, 0, 2), (0, 1_000_001));
		let (serving, own) = split(took, 3, 1);
		assert_eq!(own, 250_000, "a quarter of the rows, rounded down");
		assert_eq!(serving + own, 1_000_001, "nothing lost to rounding");
		assert_eq!(split(took, 0, 0), (1_000_001, 0));
	}
}
