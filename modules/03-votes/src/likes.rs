//! Exercise 03.3: likes on Redis. Who likes a post is a set; how many is a
//! counter beside it, which a listing page reads for many posts with one
//! `MGET`. Liking is an idempotent PUT and unliking an idempotent DELETE: the
//! counter must equal the set's size after any calls, concurrent or repeated,
//! and even after a client that died between two of its commands.

use redis::RedisResult;
use redis::aio::ConnectionManager;
use std::future::Future;

pub trait Likes: Send + Sync + 'static {
    /// Likes whose every key starts with `prefix`.
    fn new(conn: ConnectionManager, prefix: String) -> Self
    where
        Self: Sized;

    /// `user` likes `post` (once, however often it is called); returns the
    /// post's like count after it.
    fn like(&self, post: &str, user: &str) -> impl Future<Output = RedisResult<i64>> + Send;

    /// `user` no longer likes `post` (a no-op if they never did); returns the
    /// post's like count after it.
    fn unlike(&self, post: &str, user: &str) -> impl Future<Output = RedisResult<i64>> + Send;

    /// The post's like count, read from its counter (0 if it has none).
    fn count(&self, post: &str) -> impl Future<Output = RedisResult<i64>> + Send;
}

/// The set of the users who like `post`.
pub fn likers_key(prefix: &str, post: &str) -> String {
    format!("{prefix}likers:{post}")
}

/// The counter of `post`'s likes, a Redis string holding an integer.
pub fn count_key(prefix: &str, post: &str) -> String {
    format!("{prefix}likes:{post}")
}
