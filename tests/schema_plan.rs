//! Plan and apply on a real server: a table made from model v1, planned
//! against model v2 (a GSI added, one dropped, one whose projection
//! changed, TTL and a stream turned on). The plan lists exactly those;
//! apply without opt-in makes the additions and holds the drops back; with
//! opt-in the table then equals one created fresh from v2. A plan made
//! stale by a concurrent change is refused, and a key change needs a new
//! table and is never applied.

mod support;

use dynamo_model::plan::{Change, Progress};
use dynamo_model::{CreateTableOptions, Db, DynamoModel, Error, StreamView, UpdateTableOptions};
use serde::{Deserialize, Serialize};
use support::backend::{lacks, supports, Feature};

mod v1 {
    use super::*;

    #[derive(DynamoModel, Serialize, Deserialize)]
    #[dynamo(table = "planned_orders")]
    #[serde(rename_all = "camelCase")]
    pub struct Order {
        #[hash_key]
        pub customer: String,
        #[range_key]
        pub id: u64,
        #[gsi(name = "by_status", hash_key)]
        pub status: String,
        #[gsi(name = "by_email", hash_key)]
        pub email: String,
        #[gsi(name = "by_region", hash_key, projection = "keys_only")]
        pub region: String,
        pub total: f64,
        pub expires_at: Option<i64>,
    }
}

mod v2 {
    use super::*;

    #[derive(DynamoModel, Serialize, Deserialize)]
    #[dynamo(table = "planned_orders")]
    #[serde(rename_all = "camelCase")]
    pub struct Order {
        #[hash_key]
        pub customer: String,
        #[range_key]
        pub id: u64,
        #[gsi(name = "by_status", hash_key)]
        pub status: String,
        #[gsi(name = "by_region", hash_key, include = ["total"])]
        pub region: String,
        #[gsi(name = "by_coupon", hash_key)]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub coupon: Option<String>,
        pub total: f64,
        #[ttl]
        pub expires_at: Option<i64>,
    }
}

/// The sort key is a string: a change DynamoDB cannot make in place.
mod v3 {
    use super::*;

    #[derive(DynamoModel, Serialize, Deserialize)]
    #[dynamo(table = "planned_orders")]
    pub struct Order {
        #[hash_key]
        pub customer: String,
        #[range_key]
        pub id: String,
    }
}

/// What the backend can show of v2's settings: TTL and a stream where it
/// has them.
fn v2_options() -> CreateTableOptions {
    let mut options = CreateTableOptions::new();
    if supports(Feature::Streams) {
        options = options.stream(StreamView::NewAndOldImages);
    } else {
        lacks(
            Feature::Streams,
            "the plan and apply of the GSI and TTL changes without a stream",
        );
    }
    if !supports(Feature::Ttl) {
        lacks(
            Feature::Ttl,
            "the plan with TTL left out of the comparison (`enable_ttl(false)`)",
        );
        options = options.enable_ttl(false);
    }
    options
}

fn v1_options() -> CreateTableOptions {
    CreateTableOptions::new().wait(true)
}

fn lines(changes: &[Change]) -> Vec<String> {
    changes.iter().map(ToString::to_string).collect()
}

#[tokio::test]
async fn v1_to_v2_plans_exactly_the_changes_and_applies_them_safely() {
    let (_scratch, db) = support::server::scratch_db().await;
    db.table::<v1::Order>().create(v1_options()).await.unwrap();
    let orders = db.table::<v2::Order>();
    let options = v2_options();

    let plan = orders.plan(&options).await.unwrap();
    let mut expected = vec![
        "- GSI by_email (email S, ALL)",
        "-/+ GSI by_region: (region S, KEYS_ONLY) -> (region S, INCLUDE total) (drop and re-add)",
        "+ GSI by_coupon (coupon S, ALL; on-demand)",
    ];
    if supports(Feature::Streams) {
        expected.push("~ stream: off -> NEW_AND_OLD_IMAGES");
    }
    if supports(Feature::Ttl) {
        expected.push("~ TTL: off -> expiresAt");
    }
    assert_eq!(lines(plan.changes()), expected, "{plan}");
    assert_eq!(plan.destructive().count(), 2, "{plan}");
    let printed = plan.to_string();
    assert!(
        printed.contains("  - GSI by_email (email S, ALL) (destructive)\n"),
        "{printed}"
    );

    // The plan survives a round trip through JSON, as a reviewed file would.
    let plan: dynamo_model::plan::Plan =
        serde_json::from_str(&serde_json::to_string(&plan).unwrap()).unwrap();

    if !supports(Feature::IndexCreateDelete) {
        lacks(
            Feature::IndexCreateDelete,
            "the plan, and that apply stops at the GSI it cannot add, having dropped nothing",
        );
        let err = orders.apply(&plan).await.unwrap_err();
        assert!(err.to_string().contains("UpdateTable"), "{err}");
        let live = orders.describe().await.unwrap();
        assert_eq!(live.global_secondary_indexes().len(), 3, "{live:?}");
        return;
    }
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let done = orders
        .apply(&plan)
        .on_progress(move |p| {
            let line = match p {
                Progress::Step { number, of, change } => format!("[{number}/{of}] {change}"),
                Progress::HeldBack { change } => format!("held back: {change}"),
                Progress::Done { change } => format!("done: {change}"),
                Progress::Waiting { .. } => return,
                _ => return,
            };
            log.lock().unwrap().push(line);
        })
        .await
        .unwrap();
    assert_eq!(lines(&done.held_back), expected[..2], "{done:?}");
    assert_eq!(lines(&done.applied), expected[2..], "{done:?}");
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.contains(&format!("held back: {}", expected[0])),
        "{seen:?}"
    );
    assert!(
        seen.contains(&format!("[3/{}] {}", expected.len(), expected[2])),
        "{seen:?}"
    );
    let live = orders.describe().await.unwrap();
    let gsis: Vec<&str> = live
        .global_secondary_indexes()
        .iter()
        .filter_map(|g| g.index_name())
        .collect();
    assert!(gsis.contains(&"by_email"), "nothing dropped: {gsis:?}");
    assert!(gsis.contains(&"by_coupon"), "{gsis:?}");

    // What is left is the destructive part; with the opt-in it is made.
    let rest = orders.plan(&options).await.unwrap();
    assert_eq!(lines(rest.changes()), expected[..2], "{rest}");
    let done = orders.apply(&rest).allow_destructive(true).await.unwrap();
    assert!(done.is_complete(), "{done:?}");
    let after = orders.plan(&options).await.unwrap();
    assert!(after.is_empty(), "{after}");

    // Equal to the table v2 makes from scratch.
    let fresh_db = db
        .clone()
        .with_table_prefix(format!("{}fresh_", db.table_prefix().unwrap()));
    let fresh = fresh_db.table::<v2::Order>();
    fresh.create(options.clone().wait(true)).await.unwrap();
    assert_eq!(
        support::describe::normalized(&orders.describe().await.unwrap()),
        support::describe::normalized(&fresh.describe().await.unwrap())
    );
    assert!(fresh.plan(&options).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_plan_made_stale_by_a_concurrent_change_is_refused() {
    let (_scratch, db) = support::server::scratch_db().await;
    db.table::<v1::Order>().create(v1_options()).await.unwrap();
    let orders = db.table::<v2::Order>();
    let plan = orders
        .plan(&CreateTableOptions::new().enable_ttl(false))
        .await
        .unwrap();

    // Someone else changes the table between the plan and its apply.
    let concurrent = if supports(Feature::DeletionProtection) {
        UpdateTableOptions::new().deletion_protection(true)
    } else {
        lacks(
            Feature::DeletionProtection,
            "a concurrent switch to provisioned billing instead",
        );
        UpdateTableOptions::new().provisioned(3, 3)
    };
    db.table_named("planned_orders")
        .update_table(concurrent.wait(true))
        .await
        .unwrap();

    let err = orders.apply(&plan).await.unwrap_err();
    let Error::PlanStale {
        differences,
        applied,
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(*applied, 0, "{err}");
    assert!(!differences.is_empty(), "{err}");
    assert!(err.to_string().contains("make a new plan"), "{err}");
    let gsis: Vec<String> = orders
        .describe()
        .await
        .unwrap()
        .global_secondary_indexes()
        .iter()
        .filter_map(|g| g.index_name().map(str::to_owned))
        .collect();
    assert!(!gsis.contains(&"by_coupon".to_owned()), "{gsis:?}");
    // Undo, so that the fixture can delete the table.
    if supports(Feature::DeletionProtection) {
        db.table_named("planned_orders")
            .update_table(
                UpdateTableOptions::new()
                    .deletion_protection(false)
                    .wait(true),
            )
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_key_change_needs_a_new_table_and_is_never_applied() {
    let (_scratch, db) = support::server::scratch_db().await;
    db.table::<v1::Order>().create(v1_options()).await.unwrap();
    let orders = db.table::<v3::Order>();
    let plan = orders.plan(&CreateTableOptions::new()).await.unwrap();
    assert!(plan.needs_new_table(), "{plan}");
    assert!(
        lines(plan.changes()).contains(
            &"! sort key: the model has id S, the table has id N (needs a new table)".to_owned()
        ),
        "{plan}"
    );
    let err = orders
        .apply(&plan)
        .allow_destructive(true)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NeedsNewTable { .. }), "{err}");
    // Nothing was touched: the table is still v1's.
    let v1_plan = db
        .table::<v1::Order>()
        .plan(&CreateTableOptions::new())
        .await
        .unwrap();
    assert!(v1_plan.is_empty(), "{v1_plan}");
}

#[tokio::test]
async fn a_missing_table_plans_as_create_and_apply_creates_it_with_ttl() {
    let (_scratch, db) = support::server::scratch_db().await;
    let orders = db.table::<v2::Order>();
    let options = v2_options();
    let plan = orders.plan(&options).await.unwrap();
    assert_eq!(plan.changes(), [Change::CreateTable]);
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = events.clone();
    let done = orders
        .apply(&plan)
        .on_progress(move |p| {
            log.lock().unwrap().push(match p {
                Progress::Step { .. } => "step".to_owned(),
                Progress::Waiting { change, status, .. } => format!("{change}: {status}"),
                Progress::Done { .. } => "done".to_owned(),
                _ => "other".to_owned(),
            })
        })
        .await
        .unwrap();
    assert_eq!(done.applied, [Change::CreateTable]);
    // The create's wait for ACTIVE is reported as the step's waiting.
    let events = events.lock().unwrap().clone();
    assert_eq!(
        events.first().map(String::as_str),
        Some("step"),
        "{events:?}"
    );
    assert_eq!(
        events.last().map(String::as_str),
        Some("done"),
        "{events:?}"
    );
    if !supports(Feature::InstantCreate) {
        assert!(
            events
                .iter()
                .any(|e| e.starts_with("+ create the table: CREATING")),
            "{events:?}"
        );
    }
    let again = orders.plan(&options).await.unwrap();
    assert!(again.is_empty(), "{again}");
    // Applying the old plan again is refused: the table exists now.
    let err = orders.apply(&plan).await.unwrap_err();
    assert!(matches!(err, Error::PlanStale { .. }), "{err}");
    let _: &Db = &db;
}

/// A table without GSIs, for a backend that does not apply GSI capacity.
mod plain {
    use super::*;

    #[derive(DynamoModel, Serialize, Deserialize)]
    #[dynamo(table = "planned_ledger")]
    pub struct Ledger {
        #[hash_key]
        pub account: String,
    }
}

#[tokio::test]
async fn billing_tags_and_deletion_protection_are_planned_and_applied() {
    let (_scratch, db) = support::server::scratch_db().await;
    if supports(Feature::IndexCapacityUpdates) {
        settings_round_trip(db.table::<v1::Order>(), Some("by_email")).await;
    } else {
        // A switch to provisioned carries each GSI's capacity as an Update
        // action, which this backend does not apply.
        lacks(
            Feature::IndexCapacityUpdates,
            "billing on a table without GSIs",
        );
        settings_round_trip(db.table::<plain::Ledger>(), None).await;
    }
}

async fn settings_round_trip<M>(table: dynamo_model::Table<M>, gsi: Option<&str>) {
    let plain = || CreateTableOptions::new().enable_ttl(false);
    table.create(plain().wait(true)).await.unwrap();
    let mut options = plain().provisioned(4, 3);
    if let Some(gsi) = gsi {
        options = options.index_capacity(gsi, 2, 1);
    }
    // In the order a plan lists them.
    let mut expected = vec!["~ billing: on-demand -> provisioned 4/3".to_owned()];
    if supports(Feature::TableClassUpdates) {
        options = options.table_class(dynamo_model::TableClass::StandardInfrequentAccess);
        expected.push("~ table class: STANDARD -> STANDARD_INFREQUENT_ACCESS".into());
    } else {
        lacks(
            Feature::TableClassUpdates,
            "the other settings without a class change",
        );
    }
    if supports(Feature::SseUpdates) {
        options = options.encryption(dynamo_model::Encryption::AwsManaged);
        expected.push("~ encryption: AWS owned key -> KMS (AWS managed key)".into());
    } else {
        lacks(
            Feature::SseUpdates,
            "the other settings without an encryption change",
        );
    }
    if supports(Feature::DeletionProtection) {
        options = options.deletion_protection(true);
        expected.push("~ deletion protection: off -> on".into());
    }
    if supports(Feature::Tags) {
        options = options.tag("team", "payments");
        expected.push("+ tag team = \"payments\"".into());
    }
    let plan = table.plan(&options).await.unwrap();
    assert_eq!(lines(plan.changes()), expected, "{plan}");
    let done = table.apply(&plan).await.unwrap();
    assert!(done.is_complete(), "{done:?}");
    let after = table.plan(&options).await.unwrap();
    assert!(after.is_empty(), "{after}");
    let live = table.describe().await.unwrap();
    assert_eq!(
        live.provisioned_throughput()
            .and_then(|t| t.read_capacity_units()),
        Some(4)
    );
    if let Some(gsi) = gsi {
        let index = live
            .global_secondary_indexes()
            .iter()
            .find(|g| g.index_name() == Some(gsi))
            .unwrap();
        assert_eq!(
            index
                .provisioned_throughput()
                .and_then(|t| t.read_capacity_units()),
            Some(2)
        );
    }

    // Back: turning deletion protection off and removing the tag are
    // destructive and need the opt-in.
    let back = table.plan(&plain()).await.unwrap();
    let held = table.apply(&back).await.unwrap();
    let destructive =
        supports(Feature::DeletionProtection) as usize + supports(Feature::Tags) as usize;
    assert_eq!(held.held_back.len(), destructive, "{held:?}");
    let rest = table.plan(&plain()).await.unwrap();
    assert_eq!(rest.changes().len(), destructive, "{rest}");
    let done = table.apply(&rest).allow_destructive(true).await.unwrap();
    assert!(done.is_complete(), "{done:?}");
    let last = table.plan(&plain()).await.unwrap();
    assert!(last.is_empty(), "{last}");
}

/// Capacity that auto scaling manages: the scaler's changes are not drift,
/// and apply leaves them be; the billing mode is still compared.
#[tokio::test]
async fn autoscaled_capacity_is_left_to_the_scaler() {
    let (_scratch, db) = support::server::scratch_db().await;
    if supports(Feature::IndexCapacityUpdates) {
        autoscaled_round_trip(db.table::<v1::Order>(), Some("by_email")).await;
    } else {
        lacks(
            Feature::IndexCapacityUpdates,
            "the table's own capacity, on a table without GSIs",
        );
        autoscaled_round_trip(db.table::<plain::Ledger>(), None).await;
    }
}

async fn autoscaled_round_trip<M>(table: dynamo_model::Table<M>, gsi: Option<&str>) {
    let options = CreateTableOptions::new()
        .enable_ttl(false)
        .provisioned(5, 5)
        .capacity_autoscaled(true);
    table.create(options.clone().wait(true)).await.unwrap();
    // What a scaler does.
    let mut scaled = UpdateTableOptions::new().provisioned(8, 6).wait(true);
    if let Some(gsi) = gsi {
        scaled = scaled.index_capacity(gsi, 3, 2);
    }
    table.update_table(scaled).await.unwrap();

    let plan = table.plan(&options).await.unwrap();
    assert!(plan.is_empty(), "{plan}");
    // Without the option, the same table drifted, and apply would undo the
    // scaler.
    let unscaled = CreateTableOptions::new()
        .enable_ttl(false)
        .provisioned(5, 5);
    let drift = table.plan(&unscaled).await.unwrap();
    let mut expected = vec!["~ billing: provisioned 8/6 -> provisioned 5/5".to_owned()];
    if let Some(gsi) = gsi {
        expected.push(format!(
            "~ GSI {gsi} capacity: provisioned 3/2 -> provisioned 5/5"
        ));
    }
    assert_eq!(lines(drift.changes()), expected, "{drift}");
    // A scaler that moves the units between a plan and its apply does not
    // make the plan stale, and the apply leaves its units be.
    let protect = !supports(Feature::Tags) && supports(Feature::DeletionProtection);
    let changed = if supports(Feature::Tags) {
        Some(options.clone().tag("team", "payments"))
    } else if protect {
        Some(options.clone().deletion_protection(true))
    } else {
        lacks(
            Feature::Tags,
            "the plans only (no setting to change in an apply of an autoscaled table)",
        );
        None
    };
    if let Some(changed) = changed {
        let plan = table.plan(&changed).await.unwrap();
        assert_eq!(plan.changes().len(), 1, "{plan}");
        table
            .update_table(UpdateTableOptions::new().provisioned(9, 7).wait(true))
            .await
            .unwrap();
        let done = table.apply(&plan).await.unwrap();
        assert!(done.is_complete(), "{done:?}");
        let live = table.describe().await.unwrap();
        assert_eq!(
            live.provisioned_throughput()
                .and_then(|t| t.read_capacity_units()),
            Some(9)
        );
        if protect {
            // So that the fixture can delete the table.
            table
                .update_table(UpdateTableOptions::new().deletion_protection(false))
                .await
                .unwrap();
        }
    }
    let units = table
        .describe()
        .await
        .unwrap()
        .provisioned_throughput()
        .map(|t| {
            (
                t.read_capacity_units().unwrap_or(0),
                t.write_capacity_units().unwrap_or(0),
            )
        })
        .unwrap();
    // A billing mode change is still planned (first, before the removal of
    // the tag the apply above added).
    let on_demand = table
        .plan(&CreateTableOptions::new().enable_ttl(false))
        .await
        .unwrap();
    assert_eq!(
        lines(on_demand.changes()).first(),
        Some(&format!(
            "~ billing: provisioned {}/{} -> on-demand",
            units.0, units.1
        )),
        "{on_demand}"
    );
}

#[tokio::test]
async fn point_in_time_recovery_is_created_planned_and_turned_off_only_with_opt_in() {
    let (_scratch, db) = support::server::scratch_db().await;
    let ledger = db.table::<plain::Ledger>();
    let on = || CreateTableOptions::new().point_in_time_recovery(true);
    if !supports(Feature::PointInTimeRecovery) {
        lacks(
            Feature::PointInTimeRecovery,
            "that a create asking for it fails naming UpdateContinuousBackups, and that plans leave it out, saying why",
        );
        let err = ledger.create(on()).await.unwrap_err();
        assert!(err.to_string().contains("UpdateContinuousBackups"), "{err}");
        let plan = ledger.plan(&on()).await.unwrap();
        assert!(plan.is_empty(), "{plan}");
        assert!(
            plan.not_compared()
                .iter()
                .any(|l| l.starts_with("point-in-time recovery")),
            "{plan}"
        );
        return;
    }
    ledger.create(on()).await.unwrap();
    assert!(ledger.plan(&on()).await.unwrap().is_empty());
    let off = ledger.plan(&CreateTableOptions::new()).await.unwrap();
    assert_eq!(
        lines(off.changes()),
        ["~ point-in-time recovery: on -> off"],
        "{off}"
    );
    assert_eq!(off.destructive().count(), 1);
    let held = ledger.apply(&off).await.unwrap();
    assert_eq!(held.held_back.len(), 1);
    let done = ledger.apply(&off).allow_destructive(true).await.unwrap();
    assert!(done.is_complete());
    assert!(ledger
        .plan(&CreateTableOptions::new())
        .await
        .unwrap()
        .is_empty());
}
