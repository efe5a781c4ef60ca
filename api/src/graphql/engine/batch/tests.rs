//! The batch loader's waves and cache, without a database.

use super::*;
use std::sync::atomic::AtomicUsize;

/// A key type whose batch answers only when told to (and counts its batches).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
struct Slow(i32);
/// A key type whose batch answers at once.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
struct Quick(i32);

static SLOW_BATCHES: AtomicUsize = AtomicUsize::new(0);
static SLOW_GO: tokio::sync::Notify = tokio::sync::Notify::const_new();

impl Loader<Slow> for Reader {
    type Value = i32;
    type Error = LoadError;
    async fn load(&self, keys: &[Slow]) -> Result<HashMap<Slow, i32>, LoadError> {
        // The first batch waits to be told; any later one (the fault this test
        // finds) answers at once, so that the test fails rather than hangs.
        if SLOW_BATCHES.fetch_add(1, Ordering::SeqCst) == 0 {
            SLOW_GO.notified().await;
        }
        Ok(keys.iter().map(|k| (k.clone(), k.0 * 10)).collect())
    }
}

impl Loader<Quick> for Reader {
    type Value = i32;
    type Error = LoadError;
    async fn load(&self, keys: &[Quick]) -> Result<HashMap<Quick, i32>, LoadError> {
        Ok(keys.iter().map(|k| (k.clone(), k.0)).collect())
    }
}

/// A branch whose batch answered first asks for a key that a sibling batch of the
/// same wave is still loading: it gets the sibling's answer from the cache when the
/// next wave starts, not a batch of its own.
#[tokio::test]
async fn a_key_asked_for_while_its_batch_runs_costs_no_second_batch() {
    let loader = RequestLoader::new(DatabaseConnection::default(), true);
    let (a, b) = (loader.clone(), loader.clone());
    let first = async move { a.load_one(Slow(1)).await };
    let second = async move {
        let quick = b.load_one(Quick(1)).await?;
        // The Slow batch is still running (it waits for SLOW_GO): ask for its key,
        // and only then let it answer.
        let slow = b.load_one(Slow(1));
        let mut slow = std::pin::pin!(slow);
        assert!(futures_util::poll!(slow.as_mut()).is_pending());
        SLOW_GO.notify_one();
        Ok::<_, LoadError>((quick, slow.await?))
    };
    let (first, second) = loader
        .drive(async { futures_util::future::join(first, second).await })
        .await;
    assert_eq!(first.unwrap(), Some(10));
    assert_eq!(second.unwrap(), (Some(1), Some(10)));
    assert_eq!(SLOW_BATCHES.load(Ordering::SeqCst), 1);
}

#[test]
fn primed_values_are_kept_only_when_caching() {
    let shared = Shared {
        state: Mutex::new(State::default()),
        cache: false,
    };
    shared.prime(1_i32, "a");
    assert!(shared.lock().cache.is_empty());
    let shared = Shared {
        cache: true,
        ..shared
    };
    shared.prime(1_i32, "a");
    shared.prime(1_i32, "b");
    let st = shared.lock();
    let map = st.cache[&TypeId::of::<i32>()]
        .downcast_ref::<HashMap<i32, &str>>()
        .unwrap();
    assert_eq!(map[&1], "a");
}
