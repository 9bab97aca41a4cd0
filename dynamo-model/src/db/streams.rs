//! The DynamoDB Streams API client of a connection: the same region,
//! credentials, HTTP client, timeouts and endpoint as its DynamoDB client
//! (a local server answers both APIs on one endpoint).

use aws_sdk_dynamodbstreams::config::{BehaviorVersion, Builder, SharedCredentialsProvider};

use super::Db;

impl Db {
    /// A Streams API client configured as this connection's client is;
    /// for a client given by the caller (`Db::new`), with the default
    /// credentials chain.
    pub(crate) async fn streams_client(&self) -> aws_sdk_dynamodbstreams::Client {
        let config = self.client.config();
        let mut builder = Builder::new().behavior_version(BehaviorVersion::latest());
        builder.set_region(config.region().cloned());
        let credentials = match &self.credentials {
            Some(credentials) => credentials.clone(),
            None => SharedCredentialsProvider::new(
                aws_config::default_provider::credentials::DefaultCredentialsChain::builder()
                    .build()
                    .await,
            ),
        };
        builder.set_credentials_provider(Some(credentials));
        builder.set_http_client(config.http_client());
        builder.set_timeout_config(config.timeout_config().cloned());
        builder.set_retry_config(config.retry_config().cloned());
        builder.set_sleep_impl(config.sleep_impl());
        builder.set_time_source(config.time_source());
        if let Some(endpoint) = &self.endpoint {
            builder.set_endpoint_url(Some(endpoint.to_string()));
        }
        aws_sdk_dynamodbstreams::Client::from_conf(builder.build())
    }
}
