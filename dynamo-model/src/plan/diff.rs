//! The changes that take a live table to the desired state, in the order
//! DynamoDB lets them be made: billing first (a switch to provisioned must
//! give every existing GSI its capacity), then GSI drops, replacements and
//! additions (one per UpdateTable), GSI capacity, and the settings with
//! their own requests. Each change is worked out on the table as the ones
//! before it leave it, so that none repeats or undoes another.

use std::collections::{BTreeMap, BTreeSet};

use super::change::Change;
use super::state::{Capacity, IndexKeys, KeyDef, TableState};

/// What differs between `live` and `desired`, as changes; empty when the
/// table is as the model asks.
pub(crate) fn changes(desired: &TableState, live: &TableState) -> Vec<Change> {
    let desired = &*desired.compared_with(live, desired.capacity_autoscaled);
    let mut out = needs_new_table(desired, live);
    let mut state = live.clone();
    let push = |change: Change, state: &mut TableState, out: &mut Vec<Change>| {
        change.apply_to(state);
        out.push(change);
    };

    if desired.billing != state.billing {
        // Only a switch from on-demand sends GSI capacity with the table's
        // (DynamoDB refuses a GSI update that changes nothing); other GSI
        // capacity changes are their own `IndexCapacity` changes.
        let switching = matches!(state.billing, Capacity::OnDemand { .. });
        let indexes = match desired.billing {
            Capacity::Provisioned(table) if switching => state
                .global_indexes
                .keys()
                .map(|name| {
                    let capacity = match desired.global_indexes.get(name).map(|g| g.capacity) {
                        Some(Capacity::Provisioned(t)) => t,
                        _ => table,
                    };
                    (name.clone(), capacity)
                })
                .collect(),
            _ => BTreeMap::new(),
        };
        let change = Change::Billing {
            from: state.billing,
            to: desired.billing,
            indexes,
        };
        push(change, &mut state, &mut out);
    }

    let live_names: Vec<String> = state.global_indexes.keys().cloned().collect();
    for name in &live_names {
        if !desired.global_indexes.contains_key(name) {
            let keys = state.global_indexes[name].keys.clone();
            let change = Change::DropIndex {
                name: name.clone(),
                keys,
            };
            push(change, &mut state, &mut out);
        }
    }
    // Replacements before additions: a dropped index frees its slot.
    for (name, wanted) in &desired.global_indexes {
        match state.global_indexes.get(name) {
            Some(existing) if existing.keys != wanted.keys => {
                let change = Change::ReplaceIndex {
                    name: name.clone(),
                    from: existing.keys.clone(),
                    to: wanted.keys.clone(),
                    capacity: wanted.capacity,
                };
                push(change, &mut state, &mut out);
            }
            _ => {}
        }
    }
    for (name, wanted) in &desired.global_indexes {
        if !state.global_indexes.contains_key(name) {
            let change = Change::AddIndex {
                name: name.clone(),
                keys: wanted.keys.clone(),
                capacity: wanted.capacity,
            };
            push(change, &mut state, &mut out);
        }
    }
    for (name, wanted) in &desired.global_indexes {
        let current = state.global_indexes[name].capacity;
        if current != wanted.capacity {
            let change = Change::IndexCapacity {
                name: name.clone(),
                from: current,
                to: wanted.capacity,
            };
            push(change, &mut state, &mut out);
        }
    }

    if desired.stream != state.stream {
        out.push(Change::Stream {
            from: state.stream,
            to: desired.stream,
        });
    }
    if let (Some(wanted), Some(current)) = (&desired.ttl, &state.ttl) {
        if wanted != current {
            out.push(Change::Ttl {
                from: current.clone(),
                to: wanted.clone(),
            });
        }
    }
    if desired.table_class != state.table_class {
        out.push(Change::TableClass {
            from: state.table_class,
            to: desired.table_class,
        });
    }
    if !desired.encryption.satisfied_by(&state.encryption) {
        out.push(Change::Encryption {
            from: state.encryption.clone(),
            to: desired.encryption.clone(),
        });
    }
    if desired.deletion_protection != state.deletion_protection {
        out.push(Change::DeletionProtection {
            from: state.deletion_protection,
            to: desired.deletion_protection,
        });
    }
    if let (Some(wanted), Some(current)) = (&desired.tags, &state.tags) {
        for (key, value) in wanted {
            if current.get(key) != Some(value) {
                out.push(Change::Tag {
                    key: key.clone(),
                    from: current.get(key).cloned(),
                    to: Some(value.clone()),
                });
            }
        }
        for (key, value) in current {
            if !wanted.contains_key(key) {
                out.push(Change::Tag {
                    key: key.clone(),
                    from: Some(value.clone()),
                    to: None,
                });
            }
        }
    }
    if let (Some(wanted), Some(current)) =
        (desired.point_in_time_recovery, state.point_in_time_recovery)
    {
        if wanted != current {
            out.push(Change::PointInTimeRecovery {
                from: current,
                to: wanted,
            });
        }
    }
    out
}

fn show_key(key: Option<&KeyDef>) -> String {
    key.map_or_else(|| "none".to_owned(), ToString::to_string)
}

/// Table keys, their types and LSIs: fixed when the table is created.
fn needs_new_table(desired: &TableState, live: &TableState) -> Vec<Change> {
    fixed_differences(desired, live)
        .into_iter()
        .map(|what| Change::NeedsNewTable { what })
        .collect()
}

/// Where the live table's keys or indexes (with their key types and
/// projections) are not the model's, one line each: what a model that finds
/// its table already there refuses (`if_not_exists`). Capacity, TTL, tags
/// and the other settings may drift on purpose and are left to a plan.
pub(crate) fn shape_differences(desired: &TableState, live: &TableState) -> Vec<String> {
    let mut out = fixed_differences(desired, live);
    let names: BTreeSet<&String> = desired
        .global_indexes
        .keys()
        .chain(live.global_indexes.keys())
        .collect();
    for name in names {
        let keys = |state: &TableState| state.global_indexes.get(name).map(|g| g.keys.clone());
        if let Some(line) =
            index_difference("GSI", name, keys(desired).as_ref(), keys(live).as_ref())
        {
            out.push(line);
        }
    }
    out
}

/// How an index of the model and the table's of that name differ, if they do.
fn index_difference(
    kind: &str,
    name: &str,
    model: Option<&IndexKeys>,
    table: Option<&IndexKeys>,
) -> Option<String> {
    Some(match (model, table) {
        (Some(model), Some(table)) if model != table => {
            format!("{kind} {name}: the model has ({model}), the table has ({table})")
        }
        (Some(model), None) => format!("{kind} {name} ({model}) is in the model, not on the table"),
        (None, Some(table)) => format!("{kind} {name} ({table}) is on the table, not in the model"),
        _ => return None,
    })
}

fn fixed_differences(desired: &TableState, live: &TableState) -> Vec<String> {
    let mut out = Vec::new();
    if desired.hash_key != live.hash_key {
        out.push(format!(
            "partition key: the model has {}, the table has {}",
            desired.hash_key, live.hash_key
        ));
    }
    if desired.range_key != live.range_key {
        out.push(format!(
            "sort key: the model has {}, the table has {}",
            show_key(desired.range_key.as_ref()),
            show_key(live.range_key.as_ref())
        ));
    }
    let names: BTreeSet<&String> = desired
        .local_indexes
        .keys()
        .chain(live.local_indexes.keys())
        .collect();
    for name in names {
        let (model, table) = (
            desired.local_indexes.get(name),
            live.local_indexes.get(name),
        );
        if let Some(line) = index_difference("LSI", name, model, table) {
            out.push(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::state::{EncryptionState, GsiState, IndexProjection};
    use crate::{AttributeType, StreamView, TableClass, Throughput};

    fn key(name: &str, attribute_type: AttributeType) -> KeyDef {
        KeyDef {
            name: name.into(),
            attribute_type,
        }
    }

    fn gsi(hash: &str, projection: IndexProjection, capacity: Capacity) -> GsiState {
        GsiState {
            keys: IndexKeys {
                hash: vec![key(hash, AttributeType::S)],
                range: vec![],
                projection,
            },
            capacity,
        }
    }

    const ON_DEMAND: Capacity = Capacity::OnDemand { max: None };

    fn state() -> TableState {
        TableState {
            hash_key: key("pk", AttributeType::S),
            range_key: Some(key("sk", AttributeType::N)),
            global_indexes: [
                (
                    "by_status".to_owned(),
                    gsi("status", IndexProjection::All, ON_DEMAND),
                ),
                (
                    "by_email".to_owned(),
                    gsi("email", IndexProjection::KeysOnly, ON_DEMAND),
                ),
            ]
            .into(),
            local_indexes: BTreeMap::new(),
            billing: ON_DEMAND,
            stream: None,
            deletion_protection: false,
            table_class: TableClass::Standard,
            encryption: EncryptionState::AwsOwned,
            ttl: Some(None),
            tags: Some(BTreeMap::new()),
            point_in_time_recovery: Some(false),
            capacity_autoscaled: false,
        }
    }

    #[test]
    fn an_unchanged_table_plans_nothing() {
        assert_eq!(changes(&state(), &state()), vec![]);
    }

    #[test]
    fn indexes_are_dropped_then_replaced_then_added() {
        let live = state();
        let mut desired = state();
        desired.global_indexes.remove("by_email");
        desired
            .global_indexes
            .get_mut("by_status")
            .unwrap()
            .keys
            .projection = IndexProjection::KeysOnly;
        desired.global_indexes.insert(
            "by_coupon".into(),
            gsi("coupon", IndexProjection::All, ON_DEMAND),
        );
        desired.stream = Some(StreamView::NewImage);
        desired.ttl = Some(Some("expires".into()));
        let lines: Vec<String> = changes(&desired, &live)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            lines,
            [
                "- GSI by_email (email S, KEYS_ONLY)",
                "-/+ GSI by_status: (status S, ALL) -> (status S, KEYS_ONLY) (drop and re-add)",
                "+ GSI by_coupon (coupon S, ALL; on-demand)",
                "~ stream: off -> NEW_IMAGE",
                "~ TTL: off -> expires",
            ]
        );
        let mut after = live.clone();
        for change in changes(&desired, &live) {
            change.apply_to(&mut after);
        }
        assert_eq!(after, desired, "the changes lead to the desired state");
    }

    #[test]
    fn a_switch_to_provisioned_carries_every_gsi_capacity_and_needs_no_more() {
        let live = state();
        let mut desired = state();
        desired.billing = Capacity::Provisioned(Throughput::new(5, 5));
        for gsi in desired.global_indexes.values_mut() {
            gsi.capacity = Capacity::Provisioned(Throughput::new(2, 1));
        }
        let planned = changes(&desired, &live);
        assert_eq!(planned.len(), 1, "{planned:?}");
        let Change::Billing { indexes, .. } = &planned[0] else {
            panic!("{planned:?}")
        };
        assert_eq!(indexes.len(), 2);
        assert!(indexes.values().all(|t| *t == Throughput::new(2, 1)));
    }

    #[test]
    fn a_new_table_capacity_keeps_each_gsi_capacity() {
        let provisioned = |r, w| Capacity::Provisioned(Throughput::new(r, w));
        let mut live = state();
        live.billing = provisioned(5, 5);
        live.global_indexes.get_mut("by_status").unwrap().capacity = provisioned(1, 1);
        live.global_indexes.get_mut("by_email").unwrap().capacity = provisioned(2, 2);
        let mut desired = live.clone();
        desired.billing = provisioned(8, 8);
        desired.global_indexes.get_mut("by_email").unwrap().capacity = provisioned(8, 8);
        let planned = changes(&desired, &live);
        let lines: Vec<String> = planned.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "~ billing: provisioned 5/5 -> provisioned 8/8",
                "~ GSI by_email capacity: provisioned 2/2 -> provisioned 8/8",
            ]
        );
        let mut after = live.clone();
        planned.iter().for_each(|c| c.apply_to(&mut after));
        assert_eq!(after, desired);
    }

    #[test]
    fn keys_and_lsis_need_a_new_table_and_settings_not_read_are_left_alone() {
        let mut live = state();
        live.ttl = None;
        live.tags = None;
        let mut desired = state();
        desired.range_key = Some(key("sk", AttributeType::S));
        desired.ttl = Some(Some("expires".into()));
        desired.tags = Some([("env".to_owned(), "prod".to_owned())].into());
        desired.local_indexes.insert(
            "by_date".into(),
            IndexKeys {
                hash: vec![key("pk", AttributeType::S)],
                range: vec![key("date", AttributeType::S)],
                projection: IndexProjection::All,
            },
        );
        let planned = changes(&desired, &live);
        let lines: Vec<String> = planned.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "! sort key: the model has sk S, the table has sk N (needs a new table)",
                "! LSI by_date (pk S, range date S, ALL) is in the model, not on the table (needs a new table)",
            ]
        );
        assert!(planned.iter().all(|c| !c.is_in_place()));
    }

    #[test]
    fn tags_are_set_changed_and_removed_one_by_one() {
        let mut live = state();
        live.tags = Some(
            [("env", "dev"), ("old", "x")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .into(),
        );
        let mut desired = state();
        desired.tags = Some(
            [("env", "prod"), ("team", "a")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .into(),
        );
        let planned = changes(&desired, &live);
        let lines: Vec<String> = planned.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "~ tag env: \"dev\" -> \"prod\"",
                "+ tag team = \"a\"",
                "- tag old (was \"x\")"
            ]
        );
        let destructive: Vec<bool> = planned.iter().map(Change::is_destructive).collect();
        assert_eq!(destructive, [false, false, true]);
    }

    #[test]
    fn the_shape_differences_name_keys_and_indexes_but_not_settings() {
        let live = state();
        let mut desired = state();
        desired.hash_key = key("tenant", AttributeType::S);
        desired.range_key = None;
        desired.global_indexes.remove("by_email");
        desired
            .global_indexes
            .get_mut("by_status")
            .unwrap()
            .keys
            .projection = IndexProjection::KeysOnly;
        desired.billing = Capacity::Provisioned(Throughput::new(5, 5));
        desired.stream = Some(StreamView::NewImage);
        desired.tags = Some([("env".to_owned(), "prod".to_owned())].into());
        assert_eq!(
            shape_differences(&desired, &live),
            [
                "partition key: the model has tenant S, the table has pk S",
                "sort key: the model has none, the table has sk N",
                "GSI by_email (email S, KEYS_ONLY) is on the table, not in the model",
                "GSI by_status: the model has (status S, KEYS_ONLY), the table has (status S, ALL)",
            ]
        );
        assert_eq!(shape_differences(&live, &live), Vec::<String>::new());
    }

    #[test]
    fn autoscaled_units_are_not_compared_but_the_billing_mode_is() {
        let provisioned = |r, w| Capacity::Provisioned(Throughput::new(r, w));
        let mut live = state();
        live.billing = provisioned(9, 7);
        for gsi in live.global_indexes.values_mut() {
            gsi.capacity = provisioned(3, 3);
        }
        let mut desired = live.clone();
        desired.capacity_autoscaled = true;
        desired.billing = provisioned(5, 5);
        for gsi in desired.global_indexes.values_mut() {
            gsi.capacity = provisioned(5, 5);
        }
        desired.global_indexes.insert(
            "by_coupon".into(),
            gsi("coupon", IndexProjection::All, provisioned(4, 4)),
        );
        desired.global_indexes.insert(
            "by_email".into(),
            gsi("email", IndexProjection::All, provisioned(6, 6)),
        );
        let planned = changes(&desired, &live);
        let lines: Vec<String> = planned.iter().map(ToString::to_string).collect();
        // A new index, and one replaced by a new one of the same name, start
        // from the capacity given, not from the scaler's units of the old one.
        assert_eq!(
            lines,
            [
                "-/+ GSI by_email: (email S, KEYS_ONLY) -> (email S, ALL) (drop and re-add)",
                "+ GSI by_coupon (coupon S, ALL; provisioned 4/4)"
            ]
        );
        assert!(
            matches!(&planned[0], Change::ReplaceIndex { capacity, .. } if *capacity == provisioned(6, 6)),
            "{planned:?}"
        );

        let on_demand = state();
        let planned = changes(&desired, &on_demand);
        assert!(
            matches!(planned[0], Change::Billing { to, .. } if to == provisioned(5, 5)),
            "{planned:?}"
        );
    }
}
