//! ListTables: the one operation of a connection rather than of a table.

use super::Db;
use crate::error::{Error, Result};

impl Db {
    /// Every table name on this endpoint, all ListTables pages followed;
    /// with `prefix`, only the names that start with it.
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db().clone().with_table_prefix("test_");
    /// db.table::<User>().create(CreateTableOptions::new()).await?;
    /// assert_eq!(db.list_tables(Some("test_")).await?, ["test_user"]);
    /// # Ok(()) }
    /// ```
    pub async fn list_tables(&self, prefix: Option<&str>) -> Result<Vec<String>> {
        let mut names = Vec::new();
        let mut start: Option<String> = None;
        loop {
            let page = self
                .checked_client()?
                .list_tables()
                .set_exclusive_start_table_name(start.take())
                .send()
                .await
                .map_err(|e| Error::request(None, "ListTables", e))?;
            names.extend(
                page.table_names()
                    .iter()
                    .filter(|name| prefix.is_none_or(|p| name.starts_with(p)))
                    .cloned(),
            );
            match page.last_evaluated_table_name() {
                Some(last) => start = Some(last.to_owned()),
                None => return Ok(names),
            }
        }
    }
}
