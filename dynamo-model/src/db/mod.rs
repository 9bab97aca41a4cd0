//! `Db`: a connection to DynamoDB (or a local server speaking its API).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::Client;
use tokio::sync::OnceCell;

mod list;
pub(crate) mod retry;
#[cfg(feature = "streams")]
mod streams;

/// A connection: an `aws_sdk_dynamodb::Client` plus the table-name prefix that
/// test fixtures use to keep their tables apart. Cheap to clone.
///
/// ```
/// use dynamo_model::Db;
/// let db = Db::local("http://127.0.0.1:8000");
/// assert_eq!(db.endpoint(), Some("http://127.0.0.1:8000"));
/// ```
#[derive(Clone, Debug)]
pub struct Db {
    client: Client,
    endpoint: Option<Arc<str>>,
    table_prefix: Option<Arc<str>>,
    /// Why `endpoint` cannot be used, found at construction and reported on
    /// first use (the SDK would panic on an empty URL).
    endpoint_problem: Option<Arc<str>>,
    /// Key schemas read from DescribeTable for model-free item calls.
    pub(crate) key_schemas: crate::item::raw::KeyCache,
    /// The credentials the client was built with, for the Streams API's
    /// client (the SDK's client does not give them back); `None` for a
    /// client given by the caller. Kept without the feature too, so that
    /// every constructor is one.
    #[cfg_attr(not(feature = "streams"), allow(dead_code))]
    credentials: Option<aws_sdk_dynamodb::config::SharedCredentialsProvider>,
}

static DEFAULT_DB: RwLock<Option<Db>> = RwLock::new(None);
static FROM_ENV: OnceCell<Db> = OnceCell::const_new();

impl Db {
    /// A connection configured the way the AWS SDKs are: credentials chain,
    /// region, and `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL`.
    ///
    /// ```no_run
    /// # async fn run() {
    /// let db = dynamo_model::Db::from_env().await;
    /// # }
    /// ```
    pub async fn from_env() -> Db {
        let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
        let endpoint = endpoint_of(&config).map(Arc::from);
        let credentials = config.credentials_provider();
        // The environment's retry and timeout settings stay; only the
        // classification of LimitExceededException as throttling is added.
        let config = aws_sdk_dynamodb::config::Builder::from(&config)
            .retry_classifier(retry::LimitExceededIsThrottling)
            .build();
        Db {
            client: Client::from_conf(config),
            endpoint,
            table_prefix: None,
            endpoint_problem: None,
            key_schemas: Default::default(),
            credentials,
        }
    }

    /// The same connection with other timeouts: `attempt` for one attempt's
    /// answer (and at most that to connect), `operation` for one request with
    /// its retries. [`Db::local`] uses [`LOCAL_ATTEMPT_TIMEOUT`](crate::LOCAL_ATTEMPT_TIMEOUT)
    /// and [`LOCAL_OPERATION_TIMEOUT`](crate::LOCAL_OPERATION_TIMEOUT); an
    /// operation with a wait timeout (a create that waits, `delete_table_and_wait`)
    /// ends by its wait timeout plus one attempt, whatever the server does.
    /// A timeout over [`MAX_TIMEOUT`](crate::MAX_TIMEOUT) (a year; say
    /// `Duration::MAX` for "as long as it takes") is taken as that.
    ///
    /// ```
    /// use std::time::Duration;
    /// let db = dynamo_model::Db::local("http://127.0.0.1:8000")
    ///     .with_timeouts(Duration::from_secs(2), Duration::from_secs(6));
    /// let timeouts = db.client().config().timeout_config().unwrap();
    /// assert_eq!(timeouts.operation_attempt_timeout(), Some(Duration::from_secs(2)));
    /// ```
    pub fn with_timeouts(mut self, attempt: Duration, operation: Duration) -> Db {
        let config = self
            .client
            .config()
            .to_builder()
            .timeout_config(retry::timeouts(attempt, operation))
            .build();
        self.client = Client::from_conf(config);
        self
    }

    /// The same connection with an SDK interceptor added to its client: to
    /// watch, count or stop requests (the endpoint and prefix stay).
    ///
    /// ```
    /// use dynamo_model::aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
    /// use dynamo_model::aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
    ///
    /// #[derive(Debug)]
    /// struct LogRequests;
    /// impl Intercept for LogRequests {
    ///     fn name(&self) -> &'static str { "LogRequests" }
    ///     fn read_before_transmit(
    ///         &self,
    ///         context: &BeforeTransmitInterceptorContextRef<'_>,
    ///         _: &RuntimeComponents,
    ///         _: &mut ConfigBag,
    ///     ) -> Result<(), dynamo_model::BoxError> {
    ///         println!("{}", context.request().uri());
    ///         Ok(())
    ///     }
    /// }
    /// let db = dynamo_model::Db::local("http://127.0.0.1:8000").with_interceptor(LogRequests);
    /// assert_eq!(db.endpoint(), Some("http://127.0.0.1:8000"));
    /// ```
    pub fn with_interceptor(
        mut self,
        interceptor: impl aws_sdk_dynamodb::config::Intercept + 'static,
    ) -> Db {
        let config = self
            .client
            .config()
            .to_builder()
            .interceptor(interceptor)
            .build();
        self.client = Client::from_conf(config);
        self
    }

    /// A connection to a local DynamoDB-compatible server at `endpoint`, with
    /// static dummy credentials and region `us-east-1` (local servers accept
    /// any). Requests are tried up to
    /// [`DEFAULT_MAX_ATTEMPTS`](crate::DEFAULT_MAX_ATTEMPTS) times with jittered
    /// backoff (throttling, `LimitExceededException`, 5xx, dropped
    /// connections, timeouts; a write that a second application could harm
    /// is not resent blindly, see [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown));
    /// an attempt gives up after 5 s without an
    /// answer, a connect after 3 s, a request with its retries after 15 s
    /// ([`Db::with_timeouts`] changes them).
    ///
    /// ```
    /// let db = dynamo_model::Db::local("http://127.0.0.1:8000");
    /// ```
    ///
    /// An endpoint that is not an `http://` or `https://` URL with a host is
    /// not a panic: every operation on the connection returns
    /// [`Error::EndpointRefused`](crate::Error::EndpointRefused), and nothing is sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let err = dynamo_model::Db::local("").table_named("users").exists().await.unwrap_err();
    /// assert!(matches!(err, dynamo_model::Error::EndpointRefused { .. }), "{err}");
    /// # }
    /// ```
    pub fn local(endpoint: impl Into<String>) -> Db {
        let endpoint: String = endpoint.into();
        let endpoint_problem = endpoint_problem(&endpoint).map(Arc::from);
        // The SDK panics on an empty or malformed URL: it gets a harmless
        // placeholder, and requests are refused before they reach it.
        let sdk_endpoint = match (&endpoint_problem, split_scheme(&endpoint)) {
            (None, Some((scheme, rest))) => format!("{scheme}://{rest}"),
            _ => "http://127.0.0.1:9".to_owned(),
        };
        let local_credentials = Credentials::new("local", "local", None, None, "dynamo-model");
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::from_static("us-east-1"))
            .credentials_provider(local_credentials.clone())
            .endpoint_url(sdk_endpoint)
            .retry_config(retry::local_retry_config())
            .retry_partition(retry::local_retry_partition())
            .timeout_config(retry::local_timeouts())
            .retry_classifier(retry::LimitExceededIsThrottling)
            .build();
        Db {
            client: Client::from_conf(config),
            endpoint: Some(endpoint.into()),
            table_prefix: None,
            endpoint_problem,
            key_schemas: Default::default(),
            credentials: Some(aws_sdk_dynamodb::config::SharedCredentialsProvider::new(
                local_credentials,
            )),
        }
    }

    /// A connection over a client you configured yourself.
    ///
    /// ```
    /// # let client = dynamo_model::Db::local("http://127.0.0.1:8000").client().clone();
    /// let db = dynamo_model::Db::new(client);
    /// ```
    pub fn new(client: Client) -> Db {
        Db {
            client,
            endpoint: None,
            table_prefix: None,
            endpoint_problem: None,
            key_schemas: Default::default(),
            credentials: None,
        }
    }

    /// The underlying SDK client, for everything this crate does not wrap.
    ///
    /// ```
    /// let db = dynamo_model::Db::local("http://127.0.0.1:8000");
    /// let list = db.client().list_tables(); // a fluent builder, not sent
    /// ```
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The client for one of this crate's requests, or why this connection
    /// cannot send any.
    pub(crate) fn checked_client(&self) -> crate::Result<&Client> {
        match &self.endpoint_problem {
            None => Ok(&self.client),
            Some(reason) => Err(crate::Error::EndpointRefused {
                endpoint: self.endpoint.as_deref().map(str::to_owned),
                reason: reason.to_string(),
            }),
        }
    }

    /// The endpoint URL, when it is known (`Db::local`, or an endpoint from
    /// the environment); `None` means the SDK's default AWS endpoint or a
    /// client built elsewhere.
    ///
    /// ```
    /// use dynamo_model::Db;
    /// let local = Db::local("http://127.0.0.1:8000");
    /// assert_eq!(local.endpoint(), Some("http://127.0.0.1:8000"));
    /// assert_eq!(Db::new(local.client().clone()).endpoint(), None);
    /// ```
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// The same connection, with every model's table name prefixed by
    /// `prefix` (how test fixtures keep their tables apart).
    ///
    /// ```
    /// use dynamo_model::Db;
    /// let db = Db::local("http://127.0.0.1:8000").with_table_prefix("test_1_");
    /// assert_eq!(db.table_name("users"), "test_1_users");
    /// ```
    pub fn with_table_prefix(mut self, prefix: impl Into<String>) -> Db {
        let prefix: String = prefix.into();
        self.table_prefix = (!prefix.is_empty()).then(|| prefix.into());
        self
    }

    /// The prefix set by [`with_table_prefix`](Self::with_table_prefix).
    ///
    /// ```
    /// use dynamo_model::Db;
    /// let db = Db::local("http://127.0.0.1:8000");
    /// assert_eq!(db.table_prefix(), None);
    /// assert_eq!(db.with_table_prefix("ci_").table_prefix(), Some("ci_"));
    /// ```
    pub fn table_prefix(&self) -> Option<&str> {
        self.table_prefix.as_deref()
    }

    /// The name a table of this name has on this connection (with the prefix).
    ///
    /// ```
    /// use dynamo_model::Db;
    /// let db = Db::local("http://127.0.0.1:8000");
    /// assert_eq!(db.table_name("users"), "users");
    /// assert_eq!(db.with_table_prefix("ci_").table_name("users"), "ci_users");
    /// ```
    pub fn table_name(&self, name: &str) -> String {
        match &self.table_prefix {
            Some(prefix) => format!("{prefix}{name}"),
            None => name.to_owned(),
        }
    }

    /// The same connection with an HTTP client of its own, sharing no pooled
    /// connection with this one.
    ///
    /// A pooled connection is driven by the runtime that opened it; code that
    /// must make requests from another runtime while that one is blocked (a
    /// `Drop` that deletes tables) would otherwise stall on it.
    #[cfg(feature = "testing")]
    pub(crate) fn with_fresh_connections(&self) -> Db {
        use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
            .build_https();
        let config = self.client.config().to_builder().http_client(http).build();
        Db {
            client: Client::from_conf(config),
            endpoint: self.endpoint.clone(),
            table_prefix: self.table_prefix.clone(),
            endpoint_problem: self.endpoint_problem.clone(),
            key_schemas: self.key_schemas.clone(),
            credentials: self.credentials.clone(),
        }
    }

    /// Makes `db` the connection that model-level calls use when their
    /// options name none.
    ///
    /// ```
    /// dynamo_model::Db::set_default(dynamo_model::Db::local("http://127.0.0.1:8000"));
    /// ```
    pub fn set_default(db: Db) {
        *DEFAULT_DB.write().unwrap_or_else(|e| e.into_inner()) = Some(db);
    }

    /// The connection model-level calls use: the one given to
    /// [`set_default`](Self::set_default), else [`Db::from_env`] (built once).
    ///
    /// ```no_run
    /// # async fn run() {
    /// let db = dynamo_model::Db::default_db().await;
    /// # }
    /// ```
    pub async fn default_db() -> Db {
        if let Some(db) = DEFAULT_DB.read().unwrap_or_else(|e| e.into_inner()).clone() {
            return db;
        }
        FROM_ENV.get_or_init(Db::from_env).await.clone()
    }
}

/// The scheme of `endpoint` in lower case (schemes are case-insensitive:
/// `HTTP://` is `http://`), and the rest after `://`.
fn split_scheme(endpoint: &str) -> Option<(&'static str, &str)> {
    let (scheme, rest) = endpoint.split_once("://")?;
    if scheme.eq_ignore_ascii_case("http") {
        Some(("http", rest))
    } else if scheme.eq_ignore_ascii_case("https") {
        Some(("https", rest))
    } else {
        None
    }
}

/// What is wrong with `endpoint` as the URL of a server, if anything.
fn endpoint_problem(endpoint: &str) -> Option<String> {
    let rest = split_scheme(endpoint).map(|(_, rest)| rest);
    let Some(rest) = rest else {
        return Some(if endpoint.is_empty() {
            "the endpoint is empty; give a URL such as `http://127.0.0.1:8000`".to_owned()
        } else {
            "it is not a URL: it must start with `http://` or `https://`, as in `http://127.0.0.1:8000`"
                .to_owned()
        });
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        Some("the URL has no host, as in `http://127.0.0.1:8000`".to_owned())
    } else if endpoint.chars().any(char::is_whitespace) {
        Some("the URL contains white space".to_owned())
    } else if let Some(problem) = host_problem(host) {
        Some(problem)
    } else if let Some(port) = host
        .rsplit_once(':')
        .map(|(_, p)| p)
        .filter(|p| !p.ends_with(']'))
    {
        match port.parse::<u16>() {
            Ok(_) => None,
            Err(_) => Some(format!("`{port}` is not a port number")),
        }
    } else {
        None
    }
}

/// What is wrong with the `host[:port]` part of a URL: an IPv6 address
/// goes whole in brackets, a name is letters, digits, `.`, `-`, `_`.
fn host_problem(host: &str) -> Option<String> {
    let name = match host.strip_prefix('[') {
        Some(inside) => {
            let Some((address, after)) = inside.split_once(']') else {
                return Some(format!(
                    "the host `{host}` opens a bracket and does not close it; an IPv6 address goes in brackets, as in `http://[::1]:8000`"
                ));
            };
            let ipv6 = !address.is_empty()
                && address.contains(':')
                && address
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
            if !ipv6 {
                return Some(format!("`[{address}]` is not an IPv6 address"));
            }
            if !(after.is_empty() || after.starts_with(':')) {
                return Some(format!(
                    "the host `{host}` has `{after}` after its closing bracket; a port follows a colon, as in `http://[::1]:8000`"
                ));
            }
            return None;
        }
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let bad = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '~' | '%')));
    bad.map(|c| {
        format!("the host `{name}` contains `{c}`, which a host name cannot hold (an IPv6 address goes in brackets, as in `http://[::1]:8000`)")
    })
}

/// The endpoint the DynamoDB client built from `config` will call, resolved
/// as the SDK resolves it: an endpoint set in code wins; else the
/// service-specific setting (`AWS_ENDPOINT_URL_DYNAMODB`, or `endpoint_url`
/// under `dynamodb` in the profile's services section); else the global one
/// (`AWS_ENDPOINT_URL`, the profile's `endpoint_url`). The fixture guard
/// judges this, never a different one.
fn endpoint_of(config: &aws_config::SdkConfig) -> Option<String> {
    if config.get_origin("endpoint_url").is_client_config() {
        return config.endpoint_url().map(str::to_owned);
    }
    let key = aws_types::service_config::ServiceConfigKey::builder()
        .service_id("DynamoDB")
        .env("AWS_ENDPOINT_URL")
        .profile("endpoint_url")
        .build()
        .expect("every field is set");
    config
        .service_config()
        .and_then(|service| service.load_config(key))
        .or_else(|| config.endpoint_url().map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::endpoint_problem;

    #[test]
    fn endpoints_are_checked_without_a_panic() {
        for good in [
            "http://127.0.0.1:8000",
            "https://dynamodb.eu-west-1.amazonaws.com",
            "http://localhost:4566/",
            "http://[::1]:8000",
            "HTTP://LOCALHOST:1",
            "Https://dynamodb.us-east-1.amazonaws.com/",
            "http://user_host-1.local:80",
        ] {
            assert_eq!(endpoint_problem(good), None, "{good}");
        }
        for (bad, says) in [
            ("", "empty"),
            ("not a url", "must start with"),
            ("127.0.0.1:8000", "must start with"),
            ("http://", "no host"),
            ("http://:8000", "no host"),
            ("http://127.0.0.1:80x0", "not a port"),
            ("http://local host:8000", "white space"),
            ("http://[::1:1", "does not close it"),
            ("http://[::1]x:80", "after its closing bracket"),
            ("http://[nope]:80", "not an IPv6 address"),
            ("http://::1:8000", "no host"),
            ("http://a]b:80", "cannot hold"),
            ("ftp://127.0.0.1:21", "must start with"),
        ] {
            let problem = endpoint_problem(bad).unwrap_or_default();
            assert!(problem.contains(says), "{bad}: {problem}");
        }
    }
}
