//! Global tables (version 2019.11.21): adding replicas in other regions to an
//! ACTIVE table with UpdateTable `ReplicaUpdates`.
//!
//! DynamoDB adds one replica per UpdateTable call and refuses the next while
//! the table is UPDATING, so replicas are added one after another, each
//! waited for until it is ACTIVE. Replication needs a stream of new and old
//! images; a table without a stream gets one first.

use std::time::Duration;

use aws_sdk_dynamodb::types::{
    CreateReplicationGroupMemberAction, ReplicaStatus, ReplicationGroupUpdate, StreamSpecification,
    StreamViewType, TableDescription,
};
use aws_sdk_dynamodb::Client;

use super::options::DEFAULT_WAIT_TIMEOUT;
use super::{wait, Table};
use crate::error::{Error, Result};

/// One UpdateTable request on the way to the replicas asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReplicaStep {
    /// Turn on the stream of new and old images that replication needs.
    EnableStream,
    /// Add a replica in this region.
    Create(String),
}

/// Checks the region names before anything is sent.
pub(crate) fn validate_regions(
    table: &str,
    regions: &[String],
    own_region: Option<&str>,
) -> Result<()> {
    let refuse = |reason: String| Err(Error::invalid(table, "replicas", reason));
    if regions.is_empty() {
        return refuse("no region given".into());
    }
    for (i, region) in regions.iter().enumerate() {
        if !is_region_name(region) {
            return refuse(format!(
                "`{region}` is not a region name such as `eu-west-1`"
            ));
        }
        if regions[..i].contains(region) {
            return refuse(format!("region `{region}` is given twice"));
        }
        if Some(region.as_str()) == own_region {
            return refuse(format!(
                "`{region}` is the table's own region; a replica goes to another one"
            ));
        }
    }
    Ok(())
}

/// `us-east-1`, `ap-southeast-2`, `us-gov-west-1`, `cn-north-1`, ...
fn is_region_name(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// The requests that give `current` a replica in each of `regions`, leaving
/// out replicas it already has.
pub(crate) fn plan(
    table: &str,
    current: &TableDescription,
    regions: &[String],
) -> Result<Vec<ReplicaStep>> {
    let mut steps = Vec::new();
    let stream = current
        .stream_specification()
        .filter(|s| s.stream_enabled());
    match stream.and_then(|s| s.stream_view_type()) {
        None => steps.push(ReplicaStep::EnableStream),
        Some(StreamViewType::NewAndOldImages) => {}
        Some(other) => {
            return Err(Error::invalid(
                table,
                "replicas",
                format!(
                    "global tables replicate through a stream of NEW_AND_OLD_IMAGES, and this table's stream is {}; \
                     change its stream first",
                    other.as_str()
                ),
            ))
        }
    }
    let existing: Vec<&str> = current
        .replicas()
        .iter()
        .filter_map(|r| r.region_name())
        .collect();
    steps.extend(
        regions
            .iter()
            .filter(|r| !existing.contains(&r.as_str()))
            .map(|r| ReplicaStep::Create(r.clone())),
    );
    Ok(steps)
}

/// Whether the table, its GSIs and every replica are ACTIVE.
/// Whether the table, its GSIs and every replica are ACTIVE, and `region`
/// (the replica just asked for, if any) is among them: a server that accepts
/// the update but never lists the replica must not count as done.
fn replicas_ready(table: &TableDescription, region: Option<&str>) -> bool {
    wait::is_ready(table)
        && table
            .replicas()
            .iter()
            .all(|r| r.replica_status() == Some(&ReplicaStatus::Active))
        && region.is_none_or(|region| {
            table
                .replicas()
                .iter()
                .any(|r| r.region_name() == Some(region))
        })
}

fn replicas_summary(table: &TableDescription) -> String {
    let pending: Vec<String> = table
        .replicas()
        .iter()
        .filter(|r| r.replica_status() != Some(&ReplicaStatus::Active))
        .map(|r| {
            format!(
                "replica {}: {}",
                r.region_name().unwrap_or("?"),
                r.replica_status().map_or("UNKNOWN", |s| s.as_str())
            )
        })
        .collect();
    let status = wait::status_summary(table);
    if pending.is_empty() {
        status
    } else {
        format!("{status} ({})", pending.join(", "))
    }
}

pub(crate) async fn add(
    client: &Client,
    table: &str,
    regions: &[String],
    timeout: Duration,
) -> Result<TableDescription> {
    validate_regions(table, regions, client.config().region().map(|r| r.as_ref()))?;
    let current = wait::until_active(client, table, timeout).await?;
    let mut last = current.clone();
    for step in plan(table, &current, regions)? {
        let request = client.update_table().table_name(table);
        let request = match &step {
            ReplicaStep::EnableStream => request.stream_specification(
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(StreamViewType::NewAndOldImages)
                    .build()
                    .map_err(|e| Error::invalid(table, "replicas", e.to_string()))?,
            ),
            ReplicaStep::Create(region) => request.replica_updates(
                ReplicationGroupUpdate::builder()
                    .create(
                        CreateReplicationGroupMemberAction::builder()
                            .region_name(region)
                            .build()
                            .map_err(|e| Error::invalid(table, "replicas", e.to_string()))?,
                    )
                    .build(),
            ),
        };
        request
            .send()
            .await
            .map_err(|e| Error::sdk(table, "UpdateTable", e))?;
        let region = match &step {
            ReplicaStep::Create(region) => Some(region.as_str()),
            ReplicaStep::EnableStream => None,
        };
        last = wait::until(
            client,
            table,
            timeout,
            "ACTIVE with every replica ACTIVE",
            |description| replicas_ready(description, region),
            replicas_summary,
        )
        .await?;
    }
    Ok(last)
}

impl<M> Table<M> {
    /// Makes the table a global table with replicas in `regions`, one after
    /// another, returning once every replica is ACTIVE. A table without a
    /// stream first gets one of new and old images, which replication needs.
    /// Regions the table already replicates to are skipped.
    ///
    /// Local emulators do not implement replicas: the requests this sends are
    /// covered by unit tests, and a local server answers with an error.
    ///
    /// ```no_run
    /// # use dynamo_model::{Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # async fn run() -> dynamo_model::Result<()> {
    /// let db = Db::from_env().await;
    /// db.table::<User>().add_replicas(&["eu-west-1", "ap-southeast-2"]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn add_replicas(&self, regions: &[&str]) -> Result<TableDescription> {
        let regions: Vec<String> = regions.iter().map(|r| (*r).to_owned()).collect();
        add(self.client()?, self.name(), &regions, DEFAULT_WAIT_TIMEOUT).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::ReplicaDescription;

    fn regions(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn region_names_are_checked_before_any_request() {
        validate_regions(
            "t",
            &regions(&["eu-west-1", "us-gov-west-1", "ap-southeast-2"]),
            Some("us-east-1"),
        )
        .unwrap();
        for (bad, needle) in [
            (vec![], "no region"),
            (vec!["eu_west_1"], "not a region name"),
            (vec!["Europe"], "not a region name"),
            (vec!["eu-west-1", "eu-west-1"], "twice"),
            (vec!["us-east-1"], "own region"),
        ] {
            let err = validate_regions("t", &regions(&bad), Some("us-east-1")).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidInput { option: "replicas", reason, .. } if reason.contains(needle)),
                "{err}"
            );
        }
    }

    fn table(stream: Option<StreamViewType>, replicas: &[&str]) -> TableDescription {
        TableDescription::builder()
            .set_stream_specification(stream.map(|v| {
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(v)
                    .build()
                    .unwrap()
            }))
            .set_replicas(Some(
                replicas
                    .iter()
                    .map(|r| ReplicaDescription::builder().region_name(*r).build())
                    .collect(),
            ))
            .build()
    }

    #[test]
    fn a_table_without_a_stream_gets_one_then_one_replica_per_request() {
        let steps = plan(
            "t",
            &table(None, &[]),
            &regions(&["eu-west-1", "ap-southeast-2"]),
        )
        .unwrap();
        assert_eq!(
            steps,
            [
                ReplicaStep::EnableStream,
                ReplicaStep::Create("eu-west-1".into()),
                ReplicaStep::Create("ap-southeast-2".into()),
            ]
        );
    }

    #[test]
    fn existing_replicas_and_streams_are_kept() {
        let steps = plan(
            "t",
            &table(Some(StreamViewType::NewAndOldImages), &["eu-west-1"]),
            &regions(&["eu-west-1", "ap-southeast-2"]),
        )
        .unwrap();
        assert_eq!(steps, [ReplicaStep::Create("ap-southeast-2".into())]);
    }

    #[test]
    fn a_replica_counts_only_once_listed_and_active() {
        let active = |regions: &[&str]| {
            TableDescription::builder()
                .table_status(aws_sdk_dynamodb::types::TableStatus::Active)
                .set_replicas(Some(
                    regions
                        .iter()
                        .map(|r| {
                            ReplicaDescription::builder()
                                .region_name(*r)
                                .replica_status(ReplicaStatus::Active)
                                .build()
                        })
                        .collect(),
                ))
                .build()
        };
        assert!(!replicas_ready(&active(&[]), Some("eu-west-1")));
        assert!(replicas_ready(&active(&["eu-west-1"]), Some("eu-west-1")));
        assert!(replicas_ready(&active(&[]), None));
    }

    #[test]
    fn a_stream_of_another_view_is_refused_with_the_reason() {
        let err = plan(
            "t",
            &table(Some(StreamViewType::KeysOnly), &[]),
            &regions(&["eu-west-1"]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("NEW_AND_OLD_IMAGES"), "{err}");
    }
}
