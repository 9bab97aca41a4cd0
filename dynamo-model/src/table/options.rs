//! `CreateTableOptions`: every setting of CreateTable beyond the schema.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::{Db, Throughput};

/// How long a wait lasts unless [`CreateTableOptions::wait_timeout`] says otherwise.
///
/// Generous because a GSI on a real table can take minutes to build.
///
/// ```
/// use std::time::Duration;
/// use dynamo_model::{CreateTableOptions, DEFAULT_WAIT_TIMEOUT};
/// assert_eq!(DEFAULT_WAIT_TIMEOUT, Duration::from_secs(300));
/// // A shorter wait for a table without GSIs:
/// let opts = CreateTableOptions::new().wait(true).wait_timeout(DEFAULT_WAIT_TIMEOUT / 10);
/// ```
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(300);

/// The storage class of a table.
///
/// ```
/// use dynamo_model::{CreateTableOptions, TableClass};
/// let opts = CreateTableOptions::new().table_class(TableClass::StandardInfrequentAccess);
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum TableClass {
    /// `STANDARD` (DynamoDB's default).
    #[default]
    Standard,
    /// `STANDARD_INFREQUENT_ACCESS`: cheaper storage, dearer reads and writes.
    StandardInfrequentAccess,
}

/// How the table is encrypted at rest.
///
/// ```
/// use dynamo_model::{CreateTableOptions, Encryption};
/// let opts = CreateTableOptions::new().encryption(Encryption::CustomerManaged {
///     kms_key_id: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab".into(),
/// });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Encryption {
    /// A key owned by DynamoDB (the default; no request setting is sent).
    #[default]
    AwsOwned,
    /// The AWS managed KMS key `aws/dynamodb`.
    AwsManaged,
    /// A KMS key of yours: key id, key ARN, alias name (`alias/...`) or alias ARN.
    CustomerManaged {
        /// The KMS key id, ARN, alias or alias ARN.
        kms_key_id: String,
    },
}

/// What a DynamoDB stream records for each changed item.
///
/// ```
/// use dynamo_model::{CreateTableOptions, StreamView};
/// let opts = CreateTableOptions::new().stream(StreamView::NewAndOldImages);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum StreamView {
    /// Only the key attributes of the changed item.
    KeysOnly,
    /// The item as it is after the change.
    NewImage,
    /// The item as it was before the change.
    OldImage,
    /// Both.
    NewAndOldImages,
}

/// Settings of [`create_table`](crate::DynamoModel::create_table); every one
/// is optional, and a table is on-demand by default.
///
/// Contradictory settings are refused with [`Error::InvalidInput`](crate::Error::InvalidInput)
/// before any request is sent.
///
/// ```
/// use std::time::Duration;
/// use dynamo_model::{CreateTableOptions, StreamView, TableClass};
///
/// let opts = CreateTableOptions::new()
///     .provisioned(5, 5)
///     .index_capacity("by_status", 2, 2)
///     .table_class(TableClass::Standard)
///     .tag("env", "test")
///     .stream(StreamView::NewAndOldImages)
///     .if_not_exists(true)
///     .wait(true)
///     .wait_timeout(Duration::from_secs(60));
/// assert!(opts.waits());
/// ```
#[derive(Debug, Clone)]
pub struct CreateTableOptions {
    pub(crate) provisioned: Option<Throughput>,
    pub(crate) index_capacity: BTreeMap<String, Throughput>,
    pub(crate) max_on_demand: Option<Throughput>,
    pub(crate) index_max_on_demand: BTreeMap<String, Throughput>,
    pub(crate) capacity_autoscaled: bool,
    pub(crate) table_class: Option<TableClass>,
    pub(crate) encryption: Option<Encryption>,
    pub(crate) tags: Vec<(String, String)>,
    pub(crate) stream: Option<StreamView>,
    pub(crate) deletion_protection: Option<bool>,
    pub(crate) if_not_exists: bool,
    pub(crate) wait: bool,
    pub(crate) wait_timeout: Duration,
    pub(crate) enable_ttl: bool,
    pub(crate) point_in_time_recovery: bool,
    pub(crate) replicas: Vec<String>,
    pub(crate) db: Option<Db>,
    pub(crate) on_wait: Option<WaitReport>,
}

impl Default for CreateTableOptions {
    fn default() -> Self {
        CreateTableOptions {
            provisioned: None,
            index_capacity: BTreeMap::new(),
            max_on_demand: None,
            index_max_on_demand: BTreeMap::new(),
            capacity_autoscaled: false,
            table_class: None,
            encryption: None,
            tags: Vec::new(),
            stream: None,
            deletion_protection: None,
            if_not_exists: false,
            wait: false,
            wait_timeout: DEFAULT_WAIT_TIMEOUT,
            enable_ttl: true,
            point_in_time_recovery: false,
            replicas: Vec::new(),
            db: None,
            on_wait: None,
        }
    }
}

impl CreateTableOptions {
    /// On-demand, no wait, nothing else set.
    ///
    /// ```
    /// let opts = dynamo_model::CreateTableOptions::new();
    /// assert!(!opts.waits());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Provisioned billing with this table read and write capacity. GSIs get
    /// [`index_capacity`](Self::index_capacity), else the capacity declared
    /// on the model's `#[gsi(read_capacity, write_capacity)]`, else this one.
    ///
    /// ```
    /// let opts = dynamo_model::CreateTableOptions::new().provisioned(10, 5);
    /// ```
    pub fn provisioned(mut self, read_capacity: u64, write_capacity: u64) -> Self {
        self.provisioned = Some(Throughput::new(read_capacity, write_capacity));
        self
    }

    /// The capacity of one GSI of a provisioned table (needs [`provisioned`](Self::provisioned)).
    ///
    /// ```
    /// let opts = dynamo_model::CreateTableOptions::new()
    ///     .provisioned(10, 5)
    ///     .index_capacity("by_email", 2, 1);
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

    /// On-demand maximum throughput: caps the table's read and write request
    /// units per second (on-demand tables only).
    ///
    /// ```
    /// let opts = dynamo_model::CreateTableOptions::new().max_on_demand(1000, 500);
    /// ```
    pub fn max_on_demand(mut self, max_read_units: u64, max_write_units: u64) -> Self {
        self.max_on_demand = Some(Throughput::new(max_read_units, max_write_units));
        self
    }

    /// Says that Application Auto Scaling manages the provisioned capacity
    /// of the table and its GSIs (needs [`provisioned`](Self::provisioned)).
    /// The capacity given here is what the table and a new GSI start with;
    /// after that, a [plan](crate::Table::plan) compares the billing mode but
    /// not the units, so it neither reports the scaler's changes as drift nor
    /// has `apply` undo them, and a Terraform export ignores changes to the
    /// table's `read_capacity` and `write_capacity`. Terraform cannot ignore
    /// one attribute of a GSI block, so it still sets an autoscaled GSI's
    /// capacity back to the exported one.
    ///
    /// ```
    /// let opts = dynamo_model::CreateTableOptions::new()
    ///     .provisioned(5, 5)
    ///     .capacity_autoscaled(true);
    /// ```
    pub fn capacity_autoscaled(mut self, yes: bool) -> Self {
        self.capacity_autoscaled = yes;
        self
    }

    /// On-demand maximum throughput of one GSI (on-demand tables only).
    ///
    /// ```
    /// let opts = dynamo_model::CreateTableOptions::new().index_max_on_demand("by_email", 100, 50);
    /// ```
    pub fn index_max_on_demand(
        mut self,
        index_name: impl Into<String>,
        max_read_units: u64,
        max_write_units: u64,
    ) -> Self {
        self.index_max_on_demand.insert(
            index_name.into(),
            Throughput::new(max_read_units, max_write_units),
        );
        self
    }

    /// The table class (DynamoDB's default is [`TableClass::Standard`]).
    ///
    /// ```
    /// use dynamo_model::{CreateTableOptions, TableClass};
    /// let opts = CreateTableOptions::new().table_class(TableClass::StandardInfrequentAccess);
    /// ```
    pub fn table_class(mut self, table_class: TableClass) -> Self {
        self.table_class = Some(table_class);
        self
    }

    /// Encryption at rest (default: [`Encryption::AwsOwned`]).
    ///
    /// ```
    /// use dynamo_model::{CreateTableOptions, Encryption};
    /// let opts = CreateTableOptions::new().encryption(Encryption::AwsManaged);
    /// ```
    pub fn encryption(mut self, encryption: Encryption) -> Self {
        self.encryption = Some(encryption);
        self
    }

    /// Adds a tag (at most 50; keys 1–128 chars, values up to 256, no `aws:` prefix).
    ///
    /// ```
    /// let opts = dynamo_model::CreateTableOptions::new().tag("env", "prod").tag("team", "billing");
    /// ```
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push((key.into(), value.into()));
        self
    }

    /// Turns on a DynamoDB stream with this view.
    ///
    /// ```
    /// use dynamo_model::{CreateTableOptions, StreamView};
    /// let opts = CreateTableOptions::new().stream(StreamView::KeysOnly);
    /// ```
    pub fn stream(mut self, view: StreamView) -> Self {
        self.stream = Some(view);
        self
    }

    /// Turns deletion protection on or off (DynamoDB's default: off).
    ///
    /// ```
    /// let opts = dynamo_model::CreateTableOptions::new().deletion_protection(true);
    /// ```
    pub fn deletion_protection(mut self, enabled: bool) -> Self {
        self.deletion_protection = Some(enabled);
        self
    }

    /// Treat a table that already exists as success instead of
    /// [`Error::TableAlreadyExists`](crate::Error::TableAlreadyExists).
    ///
    /// ```
    /// let opts = dynamo_model::CreateTableOptions::new().if_not_exists(true);
    /// ```
    pub fn if_not_exists(mut self, yes: bool) -> Self {
        self.if_not_exists = yes;
        self
    }

    /// Return only once the table and all its GSIs are ACTIVE.
    ///
    /// ```
    /// let opts = dynamo_model::CreateTableOptions::new().wait(true);
    /// assert!(opts.waits());
    /// ```
    pub fn wait(mut self, yes: bool) -> Self {
        self.wait = yes;
        self
    }

    /// How long a wait may last before [`Error::WaitTimeout`](crate::Error::WaitTimeout)
    /// (default [`DEFAULT_WAIT_TIMEOUT`]; zero is refused).
    ///
    /// ```
    /// use std::time::Duration;
    /// let opts = dynamo_model::CreateTableOptions::new().wait(true).wait_timeout(Duration::from_secs(30));
    /// ```
    pub fn wait_timeout(mut self, timeout: Duration) -> Self {
        self.wait_timeout = timeout;
        self
    }

    /// Whether to turn on TTL for the model's `#[ttl]` field (default: yes).
    ///
    /// TTL can only be turned on for an ACTIVE table, so a model with `#[ttl]`
    /// always waits for ACTIVE. Turn it off for a backend without TTL support.
    ///
    /// ```
    /// let opts = dynamo_model::CreateTableOptions::new().enable_ttl(false);
    /// ```
    pub fn enable_ttl(mut self, yes: bool) -> Self {
        self.enable_ttl = yes;
        self
    }

    /// Turns on point-in-time recovery (continuous backups) once the table
    /// is ACTIVE, so the create waits, as it does for TTL. Off by default.
    /// DynamoDB Local and the embedded backend have no PITR.
    ///
    /// ```
    /// let opts = dynamo_model::CreateTableOptions::new().point_in_time_recovery(true);
    /// ```
    pub fn point_in_time_recovery(mut self, yes: bool) -> Self {
        self.point_in_time_recovery = yes;
        self
    }

    /// Makes the table a global table with replicas in these regions, added
    /// one by one once it is ACTIVE (so the create waits). Replication needs
    /// a stream of new and old images: without [`stream`](Self::stream) the
    /// table gets one, and another view is refused.
    ///
    /// ```
    /// let opts = dynamo_model::CreateTableOptions::new().replicas(["eu-west-1", "ap-southeast-2"]);
    /// ```
    pub fn replicas<I, S>(mut self, regions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.replicas = regions.into_iter().map(Into::into).collect();
        self
    }

    /// The connection that model-level calls use (default: [`Db::default_db`]).
    ///
    /// ```
    /// use dynamo_model::{CreateTableOptions, Db};
    /// let db = Db::local("http://127.0.0.1:8000");
    /// let opts = CreateTableOptions::new().db(&db);
    /// ```
    pub fn db(mut self, db: &Db) -> Self {
        self.db = Some(db.clone());
        self
    }

    /// Called at each poll while the create waits for the table and its
    /// GSIs to be ACTIVE (polls start 10 ms apart and slow to one a second),
    /// with the status DynamoDB reports (`CREATING`, `ACTIVE (index
    /// by_email: CREATING)`) and how long the wait has lasted: a progress
    /// display for creates that take minutes. It runs inside the polling
    /// loop, so it should return quickly. A server that creates at once may
    /// never call it. A wait for an earlier table of the name to finish
    /// deleting comes first, its statuses ending in `(an earlier table of
    /// this name)` (`DELETING (an earlier table of this name)`), and the time
    /// waited counts from the start of the create; the waits for
    /// [`replicas`](Self::replicas) are not reported.
    ///
    /// ```
    /// let opts = dynamo_model::CreateTableOptions::new()
    ///     .wait(true)
    ///     .on_wait(|status, waited| eprintln!("{status} after {waited:?}"));
    /// ```
    pub fn on_wait(mut self, report: impl Fn(&str, Duration) + Send + Sync + 'static) -> Self {
        self.on_wait = Some(WaitReport(Arc::new(report)));
        self
    }

    /// The provisioned capacity a GSI gets on a provisioned table: the
    /// option's, else the model's, else the table's; `None` on demand.
    pub(crate) fn index_throughput(&self, gsi: &crate::GlobalSecondaryIndex) -> Option<Throughput> {
        let table = self.provisioned?;
        Some(
            self.index_capacity
                .get(gsi.name())
                .copied()
                .or(gsi.throughput())
                .unwrap_or(table),
        )
    }

    /// Whether these options wait for the table to be ACTIVE.
    ///
    /// ```
    /// use dynamo_model::CreateTableOptions;
    /// assert!(CreateTableOptions::new().wait(true).waits());
    /// assert!(!CreateTableOptions::new().waits());
    /// ```
    pub fn waits(&self) -> bool {
        self.wait
    }
}

/// The [`on_wait`](CreateTableOptions::on_wait) callback; options stay
/// `Clone` and `Debug` with it.
#[derive(Clone)]
pub(crate) struct WaitReport(pub(crate) Arc<WaitFn>);

type WaitFn = dyn Fn(&str, Duration) + Send + Sync;

impl fmt::Debug for WaitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WaitReport(..)")
    }
}
