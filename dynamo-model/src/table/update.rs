//! UpdateTable: capacity, billing mode, streams and deletion protection of an
//! existing table.
//!
//! DynamoDB accepts only one kind of change per UpdateTable and refuses a new
//! one while the table is UPDATING, so the changes asked for are sent as one
//! request per kind (`update_step.rs`), each after the table is ACTIVE again.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::{BillingMode, TableDescription};

use super::describe::describe;
use super::options::{StreamView, DEFAULT_WAIT_TIMEOUT};
use super::request::stream_view;
use super::update_step::{send, Step};
use super::{validate, wait, Table};
use crate::error::{Error, Result};
use crate::Throughput;

/// What to change on an existing table. Every setting is optional, but at
/// least one must be given.
///
/// ```
/// use dynamo_model::{StreamView, UpdateTableOptions};
/// let update = UpdateTableOptions::new()
///     .provisioned(10, 5)
///     .index_capacity("by_email", 2, 2)
///     .stream(StreamView::NewAndOldImages)
///     .deletion_protection(true)
///     .wait(true);
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "pass the options to `update_table`"]
pub struct UpdateTableOptions {
    billing: Option<Billing>,
    index_capacity: BTreeMap<String, Throughput>,
    stream: Option<Option<StreamView>>,
    deletion_protection: Option<bool>,
    wait: bool,
    wait_timeout: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Billing {
    OnDemand,
    Provisioned(Throughput),
}

impl UpdateTableOptions {
    /// Nothing to change yet.
    ///
    /// ```
    /// use dynamo_model::UpdateTableOptions;
    /// let update = UpdateTableOptions::new(); // refused as it is: set at least one change
    /// let update = update.on_demand();
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Provisioned billing with this capacity: switches an on-demand table
    /// (its GSIs get [`index_capacity`](Self::index_capacity), else the
    /// table's capacity) or changes a provisioned one's.
    ///
    /// ```
    /// let update = dynamo_model::UpdateTableOptions::new().provisioned(20, 10);
    /// ```
    pub fn provisioned(mut self, read_capacity: u64, write_capacity: u64) -> Self {
        self.billing = Some(Billing::Provisioned(Throughput::new(
            read_capacity,
            write_capacity,
        )));
        self
    }

    /// Switches to on-demand (`PAY_PER_REQUEST`) billing.
    ///
    /// ```
    /// let update = dynamo_model::UpdateTableOptions::new().on_demand();
    /// ```
    pub fn on_demand(mut self) -> Self {
        self.billing = Some(Billing::OnDemand);
        self
    }

    /// A GSI's capacity (the table must be, or become, provisioned).
    ///
    /// ```
    /// let update = dynamo_model::UpdateTableOptions::new().index_capacity("by_email", 5, 5);
    /// ```
    pub fn index_capacity(
        mut self,
        index_name: impl Into<String>,
        read_capacity: u64,
        write_capacity: u64,
    ) -> Self {
        self.index_capacity.insert(
            index_name.into(),
            Throughput::new(read_capacity, write_capacity),
        );
        self
    }

    /// Turns the stream on with this view (a table with a stream must have it
    /// turned off before another view can be set).
    ///
    /// ```
    /// use dynamo_model::{StreamView, UpdateTableOptions};
    /// let update = UpdateTableOptions::new().stream(StreamView::KeysOnly);
    /// ```
    pub fn stream(mut self, view: StreamView) -> Self {
        self.stream = Some(Some(view));
        self
    }

    /// Turns the stream off.
    ///
    /// ```
    /// let update = dynamo_model::UpdateTableOptions::new().disable_stream();
    /// ```
    pub fn disable_stream(mut self) -> Self {
        self.stream = Some(None);
        self
    }

    /// Turns deletion protection on or off.
    ///
    /// ```
    /// let update = dynamo_model::UpdateTableOptions::new().deletion_protection(false);
    /// ```
    pub fn deletion_protection(mut self, enabled: bool) -> Self {
        self.deletion_protection = Some(enabled);
        self
    }

    /// Return only once the table and its GSIs are ACTIVE again.
    ///
    /// ```
    /// let update = dynamo_model::UpdateTableOptions::new().on_demand().wait(true);
    /// ```
    pub fn wait(mut self, yes: bool) -> Self {
        self.wait = yes;
        self
    }

    /// How long each wait may last (default [`DEFAULT_WAIT_TIMEOUT`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use dynamo_model::UpdateTableOptions;
    /// let update = UpdateTableOptions::new()
    ///     .provisioned(100, 50)
    ///     .wait(true)
    ///     .wait_timeout(Duration::from_secs(600));
    /// ```
    pub fn wait_timeout(mut self, timeout: Duration) -> Self {
        self.wait_timeout = Some(timeout);
        self
    }

    fn timeout(&self) -> Duration {
        self.wait_timeout.unwrap_or(DEFAULT_WAIT_TIMEOUT)
    }

    /// The checks that need no request.
    fn validate(&self, table: &str) -> Result<()> {
        if self.billing.is_none()
            && self.index_capacity.is_empty()
            && self.stream.is_none()
            && self.deletion_protection.is_none()
        {
            return Err(Error::invalid(
                table,
                "update",
                "nothing to update: set billing, index capacity, stream or deletion protection",
            ));
        }
        if let Some(Billing::Provisioned(t)) = self.billing {
            validate::nonzero(table, "provisioned", "the table", t)?;
        }
        if let Some(index) = self.index_capacity.keys().next() {
            if self.billing == Some(Billing::OnDemand) {
                return Err(Error::invalid(
                    table,
                    "index_capacity",
                    format!(
                        "capacity for index `{index}` contradicts the switch to on-demand billing"
                    ),
                ));
            }
        }
        for (index, throughput) in &self.index_capacity {
            validate::nonzero(
                table,
                "index_capacity",
                &format!("index `{index}`"),
                *throughput,
            )?;
        }
        if let Some(timeout) = self.wait_timeout {
            validate::wait_timeout(table, timeout)?;
        }
        Ok(())
    }
}

impl<M> Table<M> {
    /// Updates the table: billing mode and capacity, GSI capacity, stream,
    /// deletion protection. See [`UpdateTableOptions`].
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, DynamoModel, StreamView, UpdateTableOptions};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let users = local.db().table::<User>();
    /// users.create(CreateTableOptions::new().wait(true)).await?;
    /// users.update_table(UpdateTableOptions::new().provisioned(10, 10).wait(true)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_table(&self, options: UpdateTableOptions) -> Result<TableDescription> {
        let table = self.name();
        options.validate(table)?;
        let client = self.client()?;
        let current = describe(client, table).await?;
        let steps = plan(table, &current, &options)?;
        let step_count = steps.len();
        let mut last = current;
        for (i, step) in steps.into_iter().enumerate() {
            if i > 0 {
                // DynamoDB refuses an update while the previous one is running.
                wait::until_active(client, table, options.timeout()).await?;
            }
            last = send(client, table, step).await?;
        }
        if options.wait && step_count > 0 {
            last = wait::until_active(client, table, options.timeout()).await?;
        }
        Ok(last)
    }
}

/// The requests that take `current` to what `options` ask for, leaving out
/// what already holds (DynamoDB refuses an update that changes nothing).
fn plan(
    table: &str,
    current: &TableDescription,
    options: &UpdateTableOptions,
) -> Result<Vec<Step>> {
    let on_demand = current
        .billing_mode_summary()
        .and_then(|b| b.billing_mode())
        .is_some_and(|m| *m == BillingMode::PayPerRequest);
    let gsi_names: Vec<&str> = current
        .global_secondary_indexes()
        .iter()
        .filter_map(|g| g.index_name())
        .collect();
    for index in options.index_capacity.keys() {
        if !gsi_names.contains(&index.as_str()) {
            return Err(Error::invalid(
                table,
                "index_capacity",
                format!(
                    "the table has no global secondary index `{index}` (it has: {})",
                    gsi_names.join(", ")
                ),
            ));
        }
    }

    let mut steps = Vec::new();
    match options.billing {
        Some(Billing::OnDemand) if !on_demand => steps.push(Step::Throughput {
            billing: Some(BillingMode::PayPerRequest),
            table: None,
            indexes: vec![],
        }),
        Some(Billing::OnDemand) => {}
        Some(Billing::Provisioned(throughput)) => {
            // Switching to provisioned needs every GSI's capacity in the
            // same request; changing a provisioned table needs only those asked for.
            let indexes = gsi_names
                .iter()
                .filter_map(|name| {
                    let asked = options.index_capacity.get(*name).copied();
                    let capacity = if on_demand {
                        asked.or(Some(throughput))
                    } else {
                        asked
                    };
                    capacity.map(|c| ((*name).to_owned(), c))
                })
                .collect();
            steps.push(Step::Throughput {
                billing: on_demand.then_some(BillingMode::Provisioned),
                table: Some(throughput),
                indexes,
            });
        }
        None if !options.index_capacity.is_empty() => {
            if on_demand {
                return Err(Error::invalid(
                    table,
                    "index_capacity",
                    "the table is on-demand; add `provisioned(read, write)` to switch it and set index capacity",
                ));
            }
            steps.push(Step::Throughput {
                billing: None,
                table: None,
                indexes: options
                    .index_capacity
                    .iter()
                    .map(|(n, t)| (n.clone(), *t))
                    .collect(),
            });
        }
        None => {}
    }

    if let Some(view) = options.stream {
        let enabled = current
            .stream_specification()
            .is_some_and(|s| s.stream_enabled());
        let current_view = current
            .stream_specification()
            .and_then(|s| s.stream_view_type())
            .cloned();
        match view {
            None if enabled => steps.push(Step::Stream(None)),
            None => {}
            Some(view) if enabled && current_view.as_ref() == Some(&stream_view(view)) => {}
            Some(_) if enabled => {
                return Err(Error::invalid(
                    table,
                    "stream",
                    "the table already has a stream with another view; turn it off first with `disable_stream()`",
                ))
            }
            Some(view) => steps.push(Step::Stream(Some(view))),
        }
    }

    if let Some(enabled) = options.deletion_protection {
        if current.deletion_protection_enabled() != Some(enabled) {
            steps.push(Step::DeletionProtection(enabled));
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::{
        BillingModeSummary, GlobalSecondaryIndexDescription, StreamSpecification, StreamViewType,
    };

    fn table(on_demand: bool, stream: Option<StreamViewType>, protected: bool) -> TableDescription {
        TableDescription::builder()
            .billing_mode_summary(
                BillingModeSummary::builder()
                    .billing_mode(if on_demand {
                        BillingMode::PayPerRequest
                    } else {
                        BillingMode::Provisioned
                    })
                    .build(),
            )
            .global_secondary_indexes(
                GlobalSecondaryIndexDescription::builder()
                    .index_name("a")
                    .build(),
            )
            .global_secondary_indexes(
                GlobalSecondaryIndexDescription::builder()
                    .index_name("b")
                    .build(),
            )
            .set_stream_specification(stream.map(|v| {
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(v)
                    .build()
                    .unwrap()
            }))
            .deletion_protection_enabled(protected)
            .build()
    }

    #[test]
    fn nothing_to_update_and_contradictions_are_refused_up_front() {
        let refused = |o: UpdateTableOptions| match o.validate("t") {
            Err(Error::InvalidInput { option, .. }) => option,
            other => panic!("{other:?}"),
        };
        assert_eq!(refused(UpdateTableOptions::new()), "update");
        assert_eq!(refused(UpdateTableOptions::new().wait(true)), "update");
        assert_eq!(
            refused(UpdateTableOptions::new().provisioned(0, 1)),
            "provisioned"
        );
        assert_eq!(
            refused(
                UpdateTableOptions::new()
                    .on_demand()
                    .index_capacity("a", 1, 1)
            ),
            "index_capacity"
        );
        assert_eq!(
            refused(UpdateTableOptions::new().index_capacity("a", 1, 0)),
            "index_capacity"
        );
        assert_eq!(
            refused(
                UpdateTableOptions::new()
                    .on_demand()
                    .wait_timeout(Duration::ZERO)
            ),
            "wait_timeout"
        );
    }

    #[test]
    fn switching_to_provisioned_gives_every_gsi_capacity() {
        let steps = plan(
            "t",
            &table(true, None, false),
            &UpdateTableOptions::new()
                .provisioned(10, 5)
                .index_capacity("b", 2, 1),
        )
        .unwrap();
        assert_eq!(
            steps,
            [Step::Throughput {
                billing: Some(BillingMode::Provisioned),
                table: Some(Throughput::new(10, 5)),
                indexes: vec![
                    ("a".into(), Throughput::new(10, 5)),
                    ("b".into(), Throughput::new(2, 1))
                ],
            }]
        );
    }

    #[test]
    fn one_request_per_kind_of_change_and_none_for_what_already_holds() {
        let steps = plan(
            "t",
            &table(false, None, true),
            &UpdateTableOptions::new()
                .on_demand()
                .stream(StreamView::KeysOnly)
                .deletion_protection(false),
        )
        .unwrap();
        assert_eq!(
            steps,
            [
                Step::Throughput {
                    billing: Some(BillingMode::PayPerRequest),
                    table: None,
                    indexes: vec![]
                },
                Step::Stream(Some(StreamView::KeysOnly)),
                Step::DeletionProtection(false),
            ]
        );
        let already = plan(
            "t",
            &table(true, Some(StreamViewType::KeysOnly), true),
            &UpdateTableOptions::new()
                .on_demand()
                .stream(StreamView::KeysOnly)
                .deletion_protection(true),
        )
        .unwrap();
        assert!(already.is_empty(), "{already:?}");
    }

    #[test]
    fn index_capacity_needs_a_known_gsi_and_provisioned_billing() {
        let err = plan(
            "t",
            &table(false, None, false),
            &UpdateTableOptions::new().index_capacity("zzz", 1, 1),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("no global secondary index `zzz`"),
            "{err}"
        );
        let err = plan(
            "t",
            &table(true, None, false),
            &UpdateTableOptions::new().index_capacity("a", 1, 1),
        )
        .unwrap_err();
        assert!(err.to_string().contains("on-demand"), "{err}");
        let steps = plan(
            "t",
            &table(false, None, false),
            &UpdateTableOptions::new().index_capacity("a", 1, 1),
        )
        .unwrap();
        assert_eq!(
            steps,
            [Step::Throughput {
                billing: None,
                table: None,
                indexes: vec![("a".into(), Throughput::new(1, 1))]
            }]
        );
    }

    #[test]
    fn a_stream_with_another_view_must_be_turned_off_first() {
        let err = plan(
            "t",
            &table(true, Some(StreamViewType::NewImage), false),
            &UpdateTableOptions::new().stream(StreamView::KeysOnly),
        )
        .unwrap_err();
        assert!(err.to_string().contains("disable_stream"), "{err}");
    }
}
