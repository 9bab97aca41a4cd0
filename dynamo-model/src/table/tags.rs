//! A table's tags: ListTagsOfResource, TagResource and UntagResource, all
//! addressed by the table's ARN.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::list_tags_of_resource::ListTagsOfResourceError;
use aws_sdk_dynamodb::types::Tag;
use aws_sdk_dynamodb::Client;

use crate::error::{Error, Result};

/// Tags under this prefix belong to AWS; users can neither set nor remove them.
const AWS_PREFIX: &str = "aws:";

/// Every user tag of the table at `arn`, all pages of them.
pub(crate) async fn current(
    client: &Client,
    arn: &str,
) -> std::result::Result<
    BTreeMap<String, String>,
    SdkError<ListTagsOfResourceError, aws_sdk_dynamodb::config::http::HttpResponse>,
> {
    let mut tags = BTreeMap::new();
    let mut next: Option<String> = None;
    loop {
        let page = client
            .list_tags_of_resource()
            .resource_arn(arn)
            .set_next_token(next.take())
            .send()
            .await?;
        for tag in page.tags() {
            if !tag.key().starts_with(AWS_PREFIX) {
                tags.insert(tag.key().to_owned(), tag.value().to_owned());
            }
        }
        match page.next_token() {
            Some(token) if !token.is_empty() => next = Some(token.to_owned()),
            _ => return Ok(tags),
        }
    }
}

/// Sets `key` to `value` on the table at `arn`.
pub(crate) async fn set(
    client: &Client,
    table: &str,
    arn: &str,
    key: &str,
    value: &str,
) -> Result<()> {
    let tag = Tag::builder()
        .key(key)
        .value(value)
        .build()
        .map_err(|e| Error::invalid(table, "tag", e.to_string()))?;
    client
        .tag_resource()
        .resource_arn(arn)
        .tags(tag)
        .send()
        .await
        .map_err(|e| Error::sdk(table, "TagResource", e))?;
    Ok(())
}

/// Removes the tag `key` from the table at `arn`.
pub(crate) async fn remove(client: &Client, table: &str, arn: &str, key: &str) -> Result<()> {
    client
        .untag_resource()
        .resource_arn(arn)
        .tag_keys(key)
        .send()
        .await
        .map_err(|e| Error::sdk(table, "UntagResource", e))?;
    Ok(())
}
