//! Whether an endpoint is on this machine: test fixtures create and delete
//! tables, and must never be able to touch a production table by accident.

use std::net::IpAddr;

use crate::error::{Error, Result};
use crate::Db;

/// The environment variable that lets fixtures run against an endpoint that
/// is not a loopback address (set it to `1`).
///
/// ```no_run
/// use dynamo_model::testing::{TestTables, ALLOW_REMOTE_ENV_VAR};
/// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
/// # #[derive(DynamoModel, serde::Serialize)]
/// # struct User { #[hash_key] id: String }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> dynamo_model::Result<()> {
/// // A shared test server on the network, on purpose:
/// std::env::set_var(ALLOW_REMOTE_ENV_VAR, "1");
/// let staging = Db::local("http://10.0.0.5:8000");
/// let tables = TestTables::new(&staging).with::<User>().create().await?;
/// # Ok(()) }
/// ```
pub const ALLOW_REMOTE_ENV_VAR: &str = "DYNAMO_MODEL_ALLOW_REMOTE_FIXTURES";

/// Whether `endpoint` (a URL such as `http://127.0.0.1:8000`) names a
/// loopback host: `localhost`, `127.0.0.0/8` or `[::1]`.
///
/// ```
/// use dynamo_model::testing::is_loopback_endpoint;
/// assert!(is_loopback_endpoint("http://127.0.0.1:8000"));
/// assert!(is_loopback_endpoint("http://localhost:4566/"));
/// assert!(!is_loopback_endpoint("https://dynamodb.us-east-1.amazonaws.com"));
/// ```
pub fn is_loopback_endpoint(endpoint: &str) -> bool {
    let rest = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // Anything before an `@` is user info, not the host.
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(bracketed) = host_port.strip_prefix('[') {
        match bracketed.split_once(']') {
            Some((host, _)) => host,
            None => return false,
        }
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    let host = host.trim_end_matches('.');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

pub(crate) fn remote_allowed_by_env() -> bool {
    std::env::var(ALLOW_REMOTE_ENV_VAR).is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes"))
}

/// Refuses, before any request, a fixture on an endpoint that is not
/// loopback, unless the caller or the environment opted in.
pub(super) fn guard_endpoint(db: &Db, allow_remote: bool) -> Result<()> {
    if allow_remote || remote_allowed_by_env() {
        return Ok(());
    }
    match db.endpoint() {
        Some(endpoint) if is_loopback_endpoint(endpoint) => Ok(()),
        endpoint => Err(Error::EndpointRefused {
            endpoint: endpoint.map(str::to_owned),
            reason: format!(
                "test fixtures only create and delete tables on a loopback endpoint, and this is {}; \
                 call `allow_non_loopback_endpoint(true)` or set {ALLOW_REMOTE_ENV_VAR}=1 if you mean it",
                endpoint.map_or("the AWS default endpoint", |_| "not one")
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_forms() {
        for endpoint in [
            "http://127.0.0.1:8000",
            "http://127.1.2.3",
            "http://localhost",
            "http://LOCALHOST:9000/path",
            "http://[::1]:8000",
            "http://user:pw@127.0.0.1:8000",
            "127.0.0.1:8000",
            "http://localhost.:8000",
        ] {
            assert!(is_loopback_endpoint(endpoint), "{endpoint}");
        }
    }

    #[test]
    fn everything_else_is_remote() {
        for endpoint in [
            "https://dynamodb.us-east-1.amazonaws.com",
            "http://10.0.0.5:8000",
            "http://192.168.1.2:8000",
            "http://localhost.evil.example:8000",
            "http://127.0.0.1.example.com",
            "http://127.0.0.1@example.com",
            "http://[::2]:8000",
            "http://[::1",
            "",
        ] {
            assert!(!is_loopback_endpoint(endpoint), "{endpoint}");
        }
    }

    #[test]
    fn remote_endpoints_are_refused_without_opt_in() {
        let remote = Db::local("http://10.1.2.3:8000");
        let err = guard_endpoint(&remote, false).unwrap_err();
        assert!(err.to_string().contains(ALLOW_REMOTE_ENV_VAR), "{err}");
        assert!(guard_endpoint(&remote, true).is_ok());
        assert!(guard_endpoint(&Db::local("http://127.0.0.1:1"), false).is_ok());
    }
}
