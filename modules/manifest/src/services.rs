//! Whether a container could be needed for a service, decided without a client
//! library: the runner asks before it starts the containers sidecar (0.45 s of
//! cargo and testcontainers), and the kit asks before it names Docker as a way.

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// A service the course's tests use, by its name in course.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    /// As in course.toml's `services`: "postgres", "redis", "rabbitmq".
    pub name: &'static str,
    /// The variable that points the tests at it.
    pub env_var: &'static str,
    /// The local port the tests try when the variable is not set.
    pub local: &'static str,
}

pub const POSTGRES: Service = Service {
    name: "postgres",
    env_var: "DATABASE_URL",
    local: "127.0.0.1:5432",
};

pub const REDIS: Service = Service {
    name: "redis",
    env_var: "REDIS_URL",
    local: "127.0.0.1:6379",
};

pub const RABBITMQ: Service = Service {
    name: "rabbitmq",
    env_var: "AMQP_URL",
    local: "127.0.0.1:5672",
};

/// The service course.toml calls `name`.
pub fn service(name: &str) -> Option<Service> {
    [POSTGRES, REDIS, RABBITMQ]
        .into_iter()
        .find(|s| s.name == name)
}

impl Service {
    /// True when only a container could give this service: the variable is
    /// not set (a set one is the student's choice, answering or not), nothing
    /// listens on the local port, and a Docker engine could answer.
    pub fn needs_container(self) -> bool {
        std::env::var_os(self.env_var).is_none()
            && !self.local_port_answers()
            && docker_could_answer()
    }

    /// True when something accepts a connection on the local port.
    fn local_port_answers(self) -> bool {
        self.local
            .to_socket_addrs()
            .into_iter()
            .flatten()
            .any(|addr| TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_ok())
    }
}

/// True when a Docker engine could answer: `DOCKER_HOST` is set or the local
/// socket exists.
pub fn docker_could_answer() -> bool {
    std::env::var_os("DOCKER_HOST").is_some()
        || std::path::Path::new("/var/run/docker.sock").exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_services_of_course_toml() {
        assert_eq!(service("postgres"), Some(POSTGRES));
        assert_eq!(service("redis").map(|s| s.env_var), Some("REDIS_URL"));
        assert_eq!(service("rabbitmq").map(|s| s.local), Some("127.0.0.1:5672"));
        assert_eq!(service("mysql"), None);
    }

    #[test]
    fn a_listening_port_answers() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let local: &'static str = listener
            .local_addr()
            .expect("its address")
            .to_string()
            .leak();
        let service = Service {
            name: "test",
            env_var: "RACECOURSE_TEST_UNSET",
            local,
        };
        assert!(service.local_port_answers());
        assert!(!service.needs_container());
    }
}
