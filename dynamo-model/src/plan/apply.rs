//! Carrying out a plan: each change in the plan's order, each UpdateTable
//! after the table (and every GSI) is ACTIVE again, and before each change a
//! fresh read of the table (the one that showed the change before it), which
//! must be as the plan and the changes made so far left it. Destructive changes wait for an explicit opt-in; a plan
//! with a change that needs a new table is refused whole.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::BillingMode;
use aws_sdk_dynamodb::Client;
use tokio::time::Instant;

use super::change::Change;
use super::state::{Capacity, TableState};
use super::{diff, Plan};
use crate::error::{Error, Result};
use crate::table::update_step::{self, NewIndex, Step};
use crate::table::{backups, describe, tags, ttl, validate, wait};
use crate::{Table, DEFAULT_WAIT_TIMEOUT};

/// What `apply` reports while it works, to a callback given to
/// [`Apply::on_progress`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Progress<'a> {
    /// Change `number` of `of` is starting.
    Step {
        /// Its position in the plan, from 1.
        number: usize,
        /// How many changes the plan has.
        of: usize,
        /// The change.
        change: &'a Change,
    },
    /// DynamoDB is still working on the change (a GSI backfill on AWS takes
    /// minutes): the table's status, polled about once a second.
    Waiting {
        /// The change.
        change: &'a Change,
        /// E.g. `ACTIVE (index by_coupon: CREATING)`.
        status: &'a str,
        /// How long this wait has lasted.
        waited: Duration,
    },
    /// The change is done and the table ACTIVE again.
    Done {
        /// The change.
        change: &'a Change,
    },
    /// A destructive change, not made without
    /// [`allow_destructive`](Apply::allow_destructive).
    HeldBack {
        /// The change.
        change: &'a Change,
    },
}

/// What `apply` did: the changes made, and the destructive ones held back.
///
/// ```
/// let done = dynamo_model::plan::Applied::default();
/// assert!(done.is_complete());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use = "destructive changes may have been held back; check `is_complete`"]
pub struct Applied {
    /// The changes made, in order.
    pub applied: Vec<Change>,
    /// The destructive changes not made, for want of `allow_destructive`.
    pub held_back: Vec<Change>,
}

impl Applied {
    /// Whether every change of the plan was made.
    ///
    /// ```
    /// use dynamo_model::plan::{Applied, Change};
    /// let held = Applied { applied: vec![], held_back: vec![Change::Stream { from: Some(dynamo_model::StreamView::KeysOnly), to: None }] };
    /// assert!(!held.is_complete());
    /// ```
    pub fn is_complete(&self) -> bool {
        self.held_back.is_empty()
    }
}

type Reporter = Arc<dyn Fn(&Progress<'_>) + Send + Sync>;

/// How long a change DynamoDB accepted may take to show in the reads.
const SHOW_TIMEOUT: Duration = Duration::from_secs(10);

/// [`Table::apply`]: await it (or `.sync()` it) to carry out the plan.
#[must_use = "an apply does nothing until awaited"]
pub struct Apply<'a, M> {
    table: &'a Table<M>,
    plan: &'a Plan,
    allow_destructive: bool,
    wait_timeout: Duration,
    progress: Option<Reporter>,
}

impl<M> Table<M> {
    /// Carries out `plan` (see [`Apply`]): every change in order, waiting
    /// for the table to be ACTIVE between them, and stopping with
    /// [`Error::PlanStale`] if the table changed since the plan. Destructive
    /// changes are held back unless [`allow_destructive`](Apply::allow_destructive);
    /// a plan that needs a new table is [`Error::NeedsNewTable`], and nothing
    /// is applied.
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, DynamoModel, StreamView};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let users = local.db().table::<User>();
    /// users.create(CreateTableOptions::new().stream(StreamView::KeysOnly).wait(true)).await?;
    /// let plan = users.plan(&CreateTableOptions::new()).await?; // the stream off
    /// let done = users.apply(&plan).await?;
    /// assert_eq!(done.held_back.len(), 1);
    /// let done = users.apply(&plan).allow_destructive(true).await?;
    /// assert!(done.is_complete());
    /// # Ok(()) }
    /// ```
    pub fn apply<'a>(&'a self, plan: &'a Plan) -> Apply<'a, M> {
        Apply {
            table: self,
            plan,
            allow_destructive: false,
            wait_timeout: DEFAULT_WAIT_TIMEOUT,
            progress: None,
        }
    }
}

impl<'a, M> Apply<'a, M> {
    /// Also make the destructive changes: dropping or replacing a GSI,
    /// turning TTL, the stream or point-in-time recovery off, removing a
    /// tag, turning deletion protection off.
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// # let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// # let users = local.db().table::<User>();
    /// let plan = users.plan(&CreateTableOptions::new()).await?;
    /// users.apply(&plan).allow_destructive(true).await?;
    /// # Ok(()) }
    /// ```
    pub fn allow_destructive(mut self, yes: bool) -> Self {
        self.allow_destructive = yes;
        self
    }

    /// How long each wait for ACTIVE may last (default
    /// [`DEFAULT_WAIT_TIMEOUT`]; a GSI backfill of a big table takes longer).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// # let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// # let users = local.db().table::<User>();
    /// let plan = users.plan(&CreateTableOptions::new()).await?;
    /// users.apply(&plan).wait_timeout(std::time::Duration::from_secs(3600)).await?;
    /// # Ok(()) }
    /// ```
    pub fn wait_timeout(mut self, timeout: Duration) -> Self {
        self.wait_timeout = timeout;
        self
    }

    /// Calls `report` as each change starts, while DynamoDB works, and as
    /// each ends.
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// # let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// # let users = local.db().table::<User>();
    /// use dynamo_model::plan::Progress;
    /// let plan = users.plan(&CreateTableOptions::new()).await?;
    /// users
    ///     .apply(&plan)
    ///     .on_progress(|p| {
    ///         if let Progress::Step { number, of, change } = p {
    ///             println!("[{number}/{of}] {change}");
    ///         }
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn on_progress(mut self, report: impl Fn(&Progress<'_>) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(report));
        self
    }

    fn report(&self, progress: Progress<'_>) {
        if let Some(report) = &self.progress {
            report(&progress);
        }
    }

    async fn run(self) -> Result<Applied> {
        let table = self.table.name();
        let plan = self.plan;
        if plan.table != table {
            return Err(Error::invalid(
                table,
                "plan",
                format!("the plan is for table `{}`", plan.table),
            ));
        }
        let new_table: Vec<String> = plan
            .changes
            .iter()
            .filter(|c| !c.is_in_place())
            .map(ToString::to_string)
            .collect();
        if !new_table.is_empty() {
            return Err(Error::NeedsNewTable {
                table: table.to_owned(),
                changes: new_table,
            });
        }
        validate::wait_timeout(table, self.wait_timeout)?;
        let client = self.table.client()?;
        let mut done = Applied::default();
        let Some(planned) = &plan.live else {
            return self.create(client).await;
        };
        let mut expected = planned.clone();
        let total = plan.changes.len();
        // The read that showed the last change made is also the re-read
        // before the next one: nothing is sent between them.
        let mut just_read = false;
        for (i, change) in plan.changes.iter().enumerate() {
            if change.is_destructive() && !self.allow_destructive {
                self.report(Progress::HeldBack { change });
                done.held_back.push(change.clone());
                continue;
            }
            self.report(Progress::Step {
                number: i + 1,
                of: total,
                change,
            });
            if !just_read {
                self.ready(client, change).await?;
                if let Some(differences) = self.differences(client, &expected).await? {
                    return Err(Error::PlanStale {
                        table: table.to_owned(),
                        differences,
                        applied: done.applied.len(),
                    });
                }
            }
            self.make(client, change, &expected).await?;
            change.apply_to(&mut expected);
            self.ready(client, change).await?;
            if let Some(differences) = self.shown(client, change, &expected).await? {
                return Err(Error::ChangeNotShown {
                    table: table.to_owned(),
                    change: change.to_string(),
                    differences,
                    applied: done.applied.len(),
                });
            }
            just_read = true;
            self.report(Progress::Done { change });
            done.applied.push(change.clone());
        }
        Ok(done)
    }

    /// How the live table differs from `expected`, each as the change that
    /// would lead from `expected` to it; `None` when it is as expected.
    async fn differences(
        &self,
        client: &Client,
        expected: &TableState,
    ) -> Result<Option<Vec<String>>> {
        let Some((live, _)) = TableState::live(client, self.table.name()).await? else {
            return Ok(Some(vec!["the table no longer exists".into()]));
        };
        // The scaler may move the units at any time; that is not a change.
        let expected = &*expected.compared_with(&live, self.plan.desired.capacity_autoscaled);
        if live.matches(expected) {
            return Ok(None);
        }
        let mut differences: Vec<String> = diff::changes(&live, expected)
            .iter()
            .map(ToString::to_string)
            .collect();
        if differences.is_empty() {
            differences.push(format!("it reads {live:?}, the plan expected {expected:?}"));
        }
        Ok(Some(differences))
    }

    /// [`differences`](Self::differences) once the change had time to show:
    /// some reads (ListTagsOfResource on AWS) lag behind the write a little,
    /// and a new encryption key can show only once its update began, which
    /// may be after the settle wait saw the old key settled.
    async fn shown(
        &self,
        client: &Client,
        change: &Change,
        expected: &TableState,
    ) -> Result<Option<Vec<String>>> {
        let window = match change {
            Change::Encryption { .. } => self.wait_timeout,
            _ => SHOW_TIMEOUT,
        };
        let start = Instant::now();
        loop {
            let differences = self.differences(client, expected).await?;
            let waited = start.elapsed();
            if differences.is_none() || waited >= window {
                return Ok(differences);
            }
            tokio::time::sleep(wait::next_delay(waited).max(Duration::from_millis(100))).await;
        }
    }

    /// The plan's [`Change::CreateTable`]: the table must still be absent.
    async fn create(&self, client: &Client) -> Result<Applied> {
        let table = self.table.name();
        let change = &Change::CreateTable;
        if TableState::live(client, table).await?.is_some() {
            return Err(Error::PlanStale {
                table: table.to_owned(),
                differences: vec!["the table exists now".into()],
                applied: 0,
            });
        }
        let schema = self.table.schema_to("create the table from")?;
        let desired = &self.plan.desired;
        let options = desired.create_options();
        let same = TableState::desired(schema, &options);
        if !diff::shape_differences(desired, &same).is_empty() {
            return Err(Error::invalid(
                table,
                "plan",
                "the plan was made from another schema than this handle's",
            ));
        }
        self.report(Progress::Step {
            number: 1,
            of: 1,
            change,
        });
        let mut options = options.wait(true).wait_timeout(self.wait_timeout);
        if let Some(report) = self.progress.clone() {
            options = options.on_wait(create_waits(move |p| report(p)));
        }
        self.table.create(options).await?;
        self.report(Progress::Done { change });
        Ok(Applied {
            applied: vec![Change::CreateTable],
            held_back: Vec::new(),
        })
    }

    /// Waits until the table and its GSIs are ACTIVE and its encryption is
    /// not changing (the next UpdateTable, and the check that a change shows,
    /// need it settled), reporting each poll.
    async fn ready(&self, client: &Client, change: &Change) -> Result<()> {
        wait::until_reporting(
            client,
            self.table.name(),
            self.wait_timeout,
            "ACTIVE with its encryption settled",
            wait::is_settled,
            |status, waited| {
                self.report(Progress::Waiting {
                    change,
                    status,
                    waited,
                })
            },
        )
        .await?;
        Ok(())
    }

    /// The requests of one change; `before` is the table as it is now.
    async fn make(&self, client: &Client, change: &Change, before: &TableState) -> Result<()> {
        let table = self.table.name();
        let send = |step: Step| update_step::send(client, table, step);
        match change {
            Change::CreateTable | Change::NeedsNewTable { .. } => {}
            Change::Billing { from, to, indexes } => match (from, to) {
                (_, Capacity::Provisioned(capacity)) => {
                    let switch = matches!(from, Capacity::OnDemand { .. });
                    send(Step::Throughput {
                        billing: switch.then_some(BillingMode::Provisioned),
                        table: Some(*capacity),
                        indexes: indexes.iter().map(|(n, t)| (n.clone(), *t)).collect(),
                    })
                    .await?;
                }
                (Capacity::Provisioned(_), Capacity::OnDemand { max }) => {
                    send(Step::Throughput {
                        billing: Some(BillingMode::PayPerRequest),
                        table: None,
                        indexes: Vec::new(),
                    })
                    .await?;
                    if max.is_some() {
                        self.ready(client, change).await?;
                        send(Step::OnDemandMaximum {
                            index: None,
                            max: *max,
                        })
                        .await?;
                    }
                }
                (Capacity::OnDemand { .. }, Capacity::OnDemand { max }) => {
                    send(Step::OnDemandMaximum {
                        index: None,
                        max: *max,
                    })
                    .await?;
                }
            },
            Change::DropIndex { name, .. } => {
                send(Step::DeleteIndex(name.clone())).await?;
            }
            Change::ReplaceIndex { name, .. } | Change::AddIndex { name, .. } => {
                if matches!(change, Change::ReplaceIndex { .. }) {
                    send(Step::DeleteIndex(name.clone())).await?;
                    self.ready(client, change).await?;
                }
                let mut after = before.clone();
                change.apply_to(&mut after);
                let index = &after.global_indexes[name];
                let (capacity, max_on_demand) = match index.capacity {
                    Capacity::Provisioned(t) => (Some(t), None),
                    Capacity::OnDemand { max } => (None, max),
                };
                send(Step::CreateIndex(NewIndex {
                    name: name.clone(),
                    hash: index.keys.hash.iter().map(|k| k.name.clone()).collect(),
                    range: index.keys.range.iter().map(|k| k.name.clone()).collect(),
                    projection: index.keys.projection.to_projection(),
                    capacity,
                    max_on_demand,
                    definitions: {
                        // The new index's own key types win over those of an
                        // index whose drop was held back.
                        let mut definitions = after.key_attributes();
                        for key in index.keys.hash.iter().chain(&index.keys.range) {
                            definitions.insert(key.name.clone(), key.attribute_type);
                        }
                        definitions.into_iter().collect()
                    },
                }))
                .await?;
            }
            Change::IndexCapacity { name, to, .. } => {
                let step = match to {
                    Capacity::Provisioned(t) => Step::Throughput {
                        billing: None,
                        table: None,
                        indexes: vec![(name.clone(), *t)],
                    },
                    Capacity::OnDemand { max } => Step::OnDemandMaximum {
                        index: Some(name.clone()),
                        max: *max,
                    },
                };
                send(step).await?;
            }
            Change::Stream { from, to } => {
                if from.is_some() && to.is_some() {
                    // A stream's view cannot change: off, then on again.
                    send(Step::Stream(None)).await?;
                    self.ready(client, change).await?;
                }
                send(Step::Stream(*to)).await?;
            }
            Change::Ttl { from, to } => {
                if let Some(attribute) = from {
                    ttl::disable(client, table, attribute).await?;
                }
                if let Some(attribute) = to {
                    let enabled = ttl::enable(client, table, attribute).await;
                    match (enabled, from) {
                        (Err(err), Some(old)) => return Err(ttl::after_disabling(err, old)),
                        (enabled, _) => enabled?,
                    }
                }
            }
            Change::TableClass { to, .. } => {
                send(Step::TableClass(*to)).await?;
            }
            Change::Encryption { to, .. } => {
                send(Step::Encryption(to.to_encryption())).await?;
            }
            Change::DeletionProtection { to, .. } => {
                send(Step::DeletionProtection(*to)).await?;
            }
            Change::Tag { key, to, .. } => {
                let description = describe::describe(client, table).await?;
                let Some(arn) = description.table_arn() else {
                    return Err(Error::invalid(
                        table,
                        "tag",
                        "the table description has no ARN to tag",
                    ));
                };
                match to {
                    Some(value) => tags::set(client, table, arn, key, value).await?,
                    None => tags::remove(client, table, arn, key).await?,
                }
            }
            Change::PointInTimeRecovery { to, .. } => {
                backups::set_point_in_time_recovery(client, table, *to).await?;
            }
        }
        Ok(())
    }
}

impl<'a, M> IntoFuture for Apply<'a, M> {
    type Output = Result<Applied>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Applied>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// An [`on_wait`](crate::CreateTableOptions::on_wait) callback that reports
/// a create's waits as [`Progress::Waiting`] on its [`Change::CreateTable`].
pub(crate) fn create_waits(
    report: impl Fn(&Progress<'_>) + Send + Sync + 'static,
) -> impl Fn(&str, Duration) + Send + Sync + 'static {
    move |status, waited| {
        report(&Progress::Waiting {
            change: &Change::CreateTable,
            status,
            waited,
        })
    }
}
