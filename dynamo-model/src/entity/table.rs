//! A table definition shared by several entity models (single-table
//! design). `#[derive(DynamoTable)]` gives it a `DynamoModel` impl whose
//! schema is the table's, so every table operation, export, lock and fixture
//! takes it as it takes a model; this trait adds what entities of the table
//! need to know about it.

use crate::DynamoModel;

/// A table definition: derived by `#[derive(DynamoTable)]` on a unit
/// struct. Its [`DynamoModel::schema`] is the table's (string key
/// attributes, indexes, TTL), and `db.table::<App>()` is the table's
/// handle.
///
/// ```
/// use dynamo_model::{AttributeType, DynamoModel, DynamoTable};
///
/// #[derive(DynamoTable)]
/// #[dynamo(name = "app", hash_key = "pk", range_key = "sk",
///          gsi(name = "gsi1", hash_key = "gsi1pk", range_key = "gsi1sk"))]
/// struct App;
///
/// let schema = App::schema();
/// assert_eq!(schema.table_name(), "app");
/// assert_eq!(schema.hash_key().name(), "pk");
/// assert_eq!(schema.hash_key().attribute_type(), AttributeType::S);
/// assert!(schema.has_index("gsi1"));
/// assert_eq!(App::indexes().gsi1.name(), "gsi1");
/// assert_eq!(App::ENTITY_ATTRIBUTE, "_type");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a table definition",
    label = "an entity's `table` is the type of a shared table's definition",
    note = "derive it: `#[derive(DynamoTable)] #[dynamo(name = \"app\", hash_key = \"pk\", range_key = \"sk\")] struct App;`"
)]
pub trait DynamoTable: DynamoModel {
    /// The attribute that names each item's entity type (`_type` unless the
    /// definition says `entity_attribute = "..."`).
    const ENTITY_ATTRIBUTE: &'static str;
}
