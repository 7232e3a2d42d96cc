//! RabbitMQ for module 06's tests and demo: found like the other services
//! (`racecourse_kit::services::find`), reached with `lapin`, and a helper,
//! [`with_amqp`], that gives each test queues of its own and deletes them
//! afterwards, whether the test passed or panicked.

use lapin::options::{QueueDeclareOptions, QueueDeleteOptions};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties};
use racecourse_kit::services::{Kind, find};
use std::sync::{Arc, Mutex};

/// Connects to the RabbitMQ found, or fails with the message that says how
/// to get one.
pub async fn connect() -> Result<Connection, String> {
    let server = find(Kind::RabbitMq).await.map_err(|e| e.to_string())?;
    Connection::connect(&server.url, ConnectionProperties::default())
        .await
        .map_err(|e| format!("cannot connect to {server}: {e}"))
}

/// A connection and a name prefix no other test uses.
#[derive(Clone)]
pub struct AmqpSlot {
    pub connection: Arc<Connection>,
    prefix: String,
    declared: Arc<Mutex<Vec<String>>>,
}

impl AmqpSlot {
    /// Declares the queue `name` (prefixed), and returns its full name.
    pub async fn queue(&self, name: &str) -> String {
        self.queue_with(name, FieldTable::default()).await
    }

    /// Declares the queue `name` (prefixed) with these arguments
    /// (`x-max-length`, ...), and returns its full name.
    pub async fn queue_with(&self, name: &str, arguments: FieldTable) -> String {
        let full = format!("{}{name}", self.prefix);
        let channel = self.channel().await;
        channel
            .queue_declare(
                full.as_str().into(),
                QueueDeclareOptions::default(),
                arguments,
            )
            .await
            .unwrap_or_else(|e| panic!("declaring the queue {full}: {e}"));
        self.declared.lock().unwrap().push(full.clone());
        let _ = channel.close(200, "declared".into()).await;
        full
    }

    /// A new channel on the slot's connection.
    pub async fn channel(&self) -> Channel {
        self.connection
            .create_channel()
            .await
            .unwrap_or_else(|e| panic!("opening a RabbitMQ channel: {e}"))
    }
}

/// Runs `body` with a RabbitMQ connection and a fresh name prefix
/// (`rc.<random>.`), then deletes every queue it declared through the slot,
/// whether `body` passed or panicked.
pub async fn with_amqp<F, Fut>(body: F)
where
    F: FnOnce(AmqpSlot) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let connection = Arc::new(connect().await.unwrap_or_else(|e| panic!("{e}")));
    let slot = AmqpSlot {
        connection: connection.clone(),
        prefix: format!("rc.{}.", &uuid::Uuid::new_v4().simple().to_string()[..8]),
        declared: Arc::default(),
    };
    let declared = slot.declared.clone();
    let outcome = tokio::spawn(body(slot)).await;
    if let Ok(channel) = connection.create_channel().await {
        let names = declared.lock().unwrap().clone();
        for name in names {
            let _ = channel
                .queue_delete(name.as_str().into(), QueueDeleteOptions::default())
                .await;
        }
    }
    let _ = connection.close(200, "done".into()).await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}
