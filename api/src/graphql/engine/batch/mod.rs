//! Batch loading by *waves*, without timers.
//!
//! async-graphql's `DataLoader` collects keys for a fixed delay and Tokio's timer rounds
//! that up to the next millisecond, so a query eight relations deep waited ~8 ms for
//! nothing. [`RequestLoader`] batches by causality instead: the request's execution
//! future is polled by a [`Driven`] wrapper, and every key that resolvers ask for while
//! the execution is polled joins the pending batch of its key type. When the execution
//! can go no further (it returns `Pending`), all pending batches start at once, one SQL
//! statement per key type — a *wave*; the next wave starts when every batch of this one
//! has answered. The execution is still polled whenever it is woken (a branch whose rows
//! came goes on, and so do the execution's own statements, a count or a page, which hold
//! connections the batches may wait for); the keys it asks for meanwhile wait for the
//! wave's end. (Starting them at once would put them in a batch of their own, and the
//! count of statements would depend on which statement the database answered first:
//! under load, a page of 5 obligations once cost one statement more than a page of 57.
//! Not polling the execution until the wave's end starved its own statements of
//! connections.) Batches are therefore exactly the levels of the query, the same on
//! every run, and no time is spent waiting for a clock.
//!
//! The loader of an HTTP request also *caches* what it loaded (an organization met at
//! three levels of a dashboard is read once), and loads may *prime* the cache with rows
//! they fetched by a join (participations come with their organizations). The cache
//! lives for one request and is emptied after every mutation; a WebSocket connection's
//! loader does not cache, so every event is resolved from fresh rows. The cache is
//! consulted twice: when a key is asked for, and again when its wave starts — a key asked
//! for while a sibling batch that answers it still ran (an action plan's owner, asked for
//! before the wave's organizations came) is answered then from the cache, not loaded
//! again, so the count of statements never depends on which batch answered first.
//!
//! "Can go no further" is judged by the execution itself, not by the first `Pending`:
//! a list of more than 30 items is resolved by a `FuturesUnordered` (through `join_all`),
//! which stops after 32 polls, wakes its own task and answers `Pending` although every
//! item is still ready to ask for its keys. The driver polls the execution with a waker
//! that notes a wake during the poll: an execution that woke itself is not waiting, and
//! no batch starts; the driver gives the runtime its turn and is polled again at once.
//!
//! Tokio's cooperative budget would blur that line: once a task has done enough in one
//! turn, a ready future answers `Pending` and its wake is put off until the turn ends,
//! so a driver could not tell a refused future from a waiting one. The execution is
//! therefore polled *unconstrained* (`tokio::task::coop::unconstrained`); its work is
//! bounded by the request's limits, it gives the runtime a turn at every wave and every
//! 32 items of a list, and the batches' own I/O (polled by the driver, outside the
//! execution) stays within the budget. So a page of 100 costs what a page of 10 costs,
//! however the work falls into turns.
//!
//! Outside a driver (e.g. a schema executed directly) a batch starts from a spawned task
//! after the current tasks have had a turn, so nothing ever waits forever.

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};

use async_graphql::dataloader::Loader;
use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};
use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::oneshot;

use super::{LoadError, Reader};

/// Starts one pending batch: takes its keys and returns the load.
type Starter = Box<dyn FnOnce(&Arc<Shared>) -> BoxFuture<'static, ()> + Send>;

/// The answer every waiter of a batch gets.
type BatchResult<K, V> = Result<Arc<HashMap<K, V>>, LoadError>;

/// The keys of one type waiting for the next wave, and who waits for them.
struct Pending<K, V> {
    keys: HashSet<K>,
    waiters: Vec<oneshot::Sender<BatchResult<K, V>>>,
}

impl<K, V> Default for Pending<K, V> {
    fn default() -> Self {
        Self {
            keys: HashSet::new(),
            waiters: Vec::new(),
        }
    }
}

#[derive(Default)]
struct State {
    /// Per key type: `HashMap<K, V>` of loaded (or primed) values.
    cache: HashMap<TypeId, Box<dyn Any + Send>>,
    /// Per key type: `Pending<K, V>`.
    pending: HashMap<TypeId, Box<dyn Any + Send>>,
    /// One per pending key type, in the order they were first asked for.
    starters: Vec<Starter>,
    /// Whether a [`Driven`] future polls this loader's work.
    driven: bool,
    /// Whether the driver is inside its poll of the execution (then it needs no wake).
    in_poll: bool,
    /// The driver's task.
    driver: Option<Waker>,
    /// Undriven: whether a task that starts the pending batches is already spawned.
    flush_spawned: bool,
    /// Waves started so far (a wave: the batches pending when it started).
    waves_started: u64,
    /// Who waits for a wave to finish: the wave's number, and the sender to tell.
    settles: Vec<(u64, oneshot::Sender<()>)>,
}

/// The state shared by a loader, its clones, its driver and its batches.
pub(crate) struct Shared {
    state: Mutex<State>,
    cache: bool,
}

impl State {
    /// The cache of key type `K`.
    fn cache_of<K, V>(&mut self) -> Option<&mut HashMap<K, V>>
    where
        K: Send + 'static,
        V: Send + 'static,
    {
        self.cache
            .entry(TypeId::of::<K>())
            .or_insert_with(|| Box::new(HashMap::<K, V>::new()))
            .downcast_mut::<HashMap<K, V>>()
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain maps behind: still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Put a value in the cache (when this loader caches).
    pub(crate) fn prime<K, V>(&self, key: K, value: V)
    where
        K: Send + Hash + Eq + 'static,
        V: Send + 'static,
    {
        if !self.cache {
            return;
        }
        if let Some(map) = self.lock().cache_of::<K, V>() {
            map.entry(key).or_insert(value);
        }
    }

    /// Take every pending batch, ready to start: the wave's number and its batches.
    fn take_starters(self: &Arc<Self>) -> (u64, Vec<BoxFuture<'static, ()>>) {
        let (wave, starters) = {
            let mut st = self.lock();
            let starters = std::mem::take(&mut st.starters);
            if !starters.is_empty() {
                st.waves_started += 1;
            }
            (st.waves_started, starters)
        };
        (
            wave,
            starters.into_iter().map(|start| start(self)).collect(),
        )
    }

    /// Wave `wave` has answered: tell who waits for it (or for an earlier one).
    fn finish_wave(&self, wave: u64) {
        let done: Vec<oneshot::Sender<()>> = {
            let mut st = self.lock();
            let (done, waiting) = std::mem::take(&mut st.settles)
                .into_iter()
                .partition(|(target, _)| *target <= wave);
            st.settles = waiting;
            done.into_iter().map(|(_, tx)| tx).collect()
        };
        for tx in done {
            let _ = tx.send(());
        }
    }
}

/// A weak handle through which loads prime the cache of the loader that runs them.
#[derive(Clone, Default)]
pub struct Primer(Option<std::sync::Weak<Shared>>);

impl std::fmt::Debug for Primer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Primer")
    }
}

impl Primer {
    /// Remember `value` as the answer for `key` for the rest of the request.
    pub fn prime<K, V>(&self, key: K, value: V)
    where
        K: Send + Hash + Eq + 'static,
        V: Send + 'static,
    {
        if let Some(shared) = self.0.as_ref().and_then(std::sync::Weak::upgrade) {
            shared.prime(key, value);
        }
    }
}

/// One request's (or one WebSocket connection's) batch loader.
#[derive(Clone)]
pub struct RequestLoader {
    loader: Arc<Reader>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for RequestLoader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestLoader")
            .field("cache", &self.shared.cache)
            .finish_non_exhaustive()
    }
}

impl RequestLoader {
    /// A loader reading from `db`; `cache` keeps loaded values for its lifetime.
    pub fn new(db: DatabaseConnection, cache: bool) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            cache,
        });
        let primer = Primer(Some(Arc::downgrade(&shared)));
        Self {
            loader: Arc::new(Reader::new(db, primer)),
            shared,
        }
    }

    /// Poll `fut` so that its loads are batched by wave (see the module docs).
    pub fn drive<F: Future>(&self, fut: F) -> Driven<F> {
        Driven {
            inner: Box::pin(tokio::task::coop::unconstrained(fut)),
            shared: self.shared.clone(),
            running: FuturesUnordered::new(),
            wave: 0,
            woken: Arc::new(SelfWake::default()),
        }
    }

    /// The reader of this loader when it caches (HTTP requests): rows read through it
    /// that come by a join prime the cache. `None` for a loader that does not cache
    /// (a WebSocket's), where a join would only read rows no one keeps.
    pub(crate) fn priming_reader(&self) -> Option<Arc<Reader>> {
        self.shared.cache.then(|| Arc::clone(&self.loader))
    }

    /// Remember `value` as the answer for `key` (when this loader caches).
    pub fn prime<K, V>(&self, key: K, value: V)
    where
        K: Send + Hash + Eq + 'static,
        V: Send + 'static,
    {
        self.shared.prime(key, value);
    }

    /// Forget every cached value (before a write).
    pub fn clear(&self) {
        self.shared.lock().cache.clear();
    }

    /// Whether this loader keeps what it loaded for the rest of its life.
    pub fn caches(&self) -> bool {
        self.shared.cache
    }

    /// Wait for the wave that takes the keys pending now (asked for, not yet in a
    /// started batch): at once when there are none, else until that wave has answered —
    /// and, for a caching loader, until the rows it found are in the cache (a key that
    /// failed or has no row is not). For a resolver that asked for keys without waiting
    /// for them (a plain list, `super::plain`) and then looks again. Answers whether it
    /// waited (`false`: no key was pending). Undriven, flushes may overlap, and a wave
    /// that ends before an earlier one releases that one's waiters too (early, never
    /// late).
    pub async fn settled(&self) -> bool {
        let rx = {
            let mut st = self.shared.lock();
            if st.starters.is_empty() {
                return false;
            }
            let target = st.waves_started + 1;
            let (tx, rx) = oneshot::channel();
            st.settles.push((target, tx));
            rx
        };
        let _ = rx.await;
        true
    }

    /// Load the value of `key`: from the cache, or with the next wave's batch.
    pub async fn load_one<K>(
        &self,
        key: K,
    ) -> Result<Option<<Reader as Loader<K>>::Value>, LoadError>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        Reader: Loader<K, Error = LoadError>,
    {
        type V<K> = <Reader as Loader<K>>::Value;
        let tid = TypeId::of::<K>();
        let (rx, wake) = {
            let mut st = self.shared.lock();
            if self.shared.cache
                && let Some(v) = st
                    .cache
                    .get(&tid)
                    .and_then(|m| m.downcast_ref::<HashMap<K, V<K>>>())
                    .and_then(|m| m.get(&key))
            {
                return Ok(Some(v.clone()));
            }
            let pending = st
                .pending
                .entry(tid)
                .or_insert_with(|| Box::new(Pending::<K, V<K>>::default()))
                .downcast_mut::<Pending<K, V<K>>>()
                .ok_or_else(|| Arc::new(DbErr::Custom("batch of the wrong type".into())))?;
            let first = pending.waiters.is_empty();
            pending.keys.insert(key.clone());
            let (tx, rx) = oneshot::channel();
            pending.waiters.push(tx);
            let mut wake = None;
            if first {
                let loader = self.loader.clone();
                st.starters.push(Box::new(move |shared: &Arc<Shared>| {
                    start_batch::<K>(loader, shared)
                }));
                if !st.driven {
                    if !st.flush_spawned {
                        st.flush_spawned = true;
                        let shared = self.shared.clone();
                        crate::db::spawn_in_request(async move {
                            // Let the tasks that are ready ask for their keys first.
                            tokio::task::yield_now().await;
                            shared.lock().flush_spawned = false;
                            let (wave, batches) = shared.take_starters();
                            futures_util::future::join_all(batches).await;
                            shared.finish_wave(wave);
                        });
                    }
                } else if !st.in_poll {
                    wake = st.driver.clone();
                }
            }
            (rx, wake)
        };
        if let Some(waker) = wake {
            waker.wake();
        }
        match rx.await {
            Ok(Ok(map)) => Ok(map.get(&key).cloned()),
            Ok(Err(err)) => Err(err),
            Err(_) => Err(Arc::new(DbErr::Custom("batch load was dropped".into()))),
        }
    }
}

/// Take the pending keys of type `K` and load them with one call of the loader.
fn start_batch<K>(loader: Arc<Reader>, shared: &Arc<Shared>) -> BoxFuture<'static, ()>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Reader: Loader<K, Error = LoadError>,
{
    type V<K> = <Reader as Loader<K>>::Value;
    let taken = shared
        .lock()
        .pending
        .remove(&TypeId::of::<K>())
        .and_then(|b| b.downcast::<Pending<K, V<K>>>().ok());
    let Some(pending) = taken else {
        return Box::pin(async {});
    };
    let Pending {
        keys: asked,
        waiters,
    } = *pending;
    // Keys that a batch of the last wave answered (or primed) after they were asked for
    // are answered from the cache: whether a key waits in a batch must not depend on which
    // batch of a wave the database answered first.
    let mut cached = HashMap::new();
    let mut keys = Vec::with_capacity(asked.len());
    {
        let mut st = shared.lock();
        let cache = if shared.cache {
            st.cache_of::<K, V<K>>()
        } else {
            None
        };
        for key in asked {
            match cache.as_ref().and_then(|c| c.get(&key)) {
                Some(v) => {
                    cached.insert(key, v.clone());
                }
                None => keys.push(key),
            }
        }
    }
    let shared = shared.clone();
    Box::pin(async move {
        let result = if keys.is_empty() {
            Ok(Arc::new(cached))
        } else {
            loader.load(&keys).await.map(|mut map| {
                if shared.cache
                    && let Some(cache) = shared.lock().cache_of::<K, V<K>>()
                {
                    for (k, v) in map.iter() {
                        cache.insert(k.clone(), v.clone());
                    }
                }
                map.extend(cached);
                Arc::new(map)
            })
        };
        for waiter in waiters {
            let _ = waiter.send(result.clone());
        }
    })
}

/// A future whose loads are batched by wave; see [`RequestLoader::drive`].
pub struct Driven<F: Future> {
    inner: Pin<Box<tokio::task::coop::Unconstrained<F>>>,
    shared: Arc<Shared>,
    running: FuturesUnordered<BoxFuture<'static, ()>>,
    /// The number of the wave `running` holds (0: none).
    wave: u64,
    woken: Arc<SelfWake>,
}

/// The waker the execution is polled with: it notes a wake, and passes it on to the
/// driver's own task.
#[derive(Default)]
struct SelfWake {
    woken: AtomicBool,
    outer: Mutex<Option<Waker>>,
}

impl SelfWake {
    fn set_outer(&self, waker: &Waker) {
        let mut outer = self.outer.lock().unwrap_or_else(|p| p.into_inner());
        if !outer.as_ref().is_some_and(|w| w.will_wake(waker)) {
            *outer = Some(waker.clone());
        }
    }
}

impl Wake for SelfWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        let outer = self.outer.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(waker) = outer {
            waker.wake();
        }
    }
}

impl<F: Future> Future for Driven<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        this.woken.set_outer(cx.waker());
        let inner_waker = Waker::from(this.woken.clone());
        loop {
            // Batches that answered leave the wave.
            while let Poll::Ready(Some(())) = this.running.poll_next_unpin(cx) {}
            if this.wave != 0 && this.running.is_empty() {
                this.shared.finish_wave(std::mem::take(&mut this.wave));
            }
            {
                let mut st = this.shared.lock();
                st.driven = true;
                st.in_poll = true;
                if !st.driver.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    st.driver = Some(cx.waker().clone());
                }
            }
            // The execution is polled whenever it was woken — its own statements (a
            // count, a page) must go on, since they hold connections the batches wait for.
            this.woken.woken.store(false, Ordering::SeqCst);
            let polled = this
                .inner
                .as_mut()
                .poll(&mut Context::from_waker(&inner_waker));
            this.shared.lock().in_poll = false;
            if let Poll::Ready(out) = polled {
                return Poll::Ready(out);
            }
            // The execution yielded rather than waited: it has more keys to ask for, and
            // its wake has already scheduled the next poll.
            if this.woken.woken.load(Ordering::SeqCst) {
                return Poll::Pending;
            }
            // A wave's batches all answer before the next wave starts: a branch whose
            // batch answered first asks for the next level's keys while its siblings'
            // batches still run, and those keys wait for the siblings' — else they would
            // go in a batch of their own, more statements depending on which answered
            // first.
            if !this.running.is_empty() {
                return Poll::Pending;
            }
            // The execution waits: start every batch it asked for, all at once.
            let (wave, batches) = this.shared.take_starters();
            if !batches.is_empty() {
                this.wave = wave;
            }
            for batch in batches {
                this.running.push(batch);
            }
            let mut answered = false;
            while let Poll::Ready(Some(())) = this.running.poll_next_unpin(cx) {
                answered = true;
            }
            if !answered || !this.running.is_empty() {
                // Waiting for the batches (their answers wake the execution's waiters,
                // and so this driver), or for something else (the write turn, a gate).
                return Poll::Pending;
            }
            // Every batch answered at once: the execution takes its next step.
        }
    }
}

#[cfg(test)]
mod tests;
