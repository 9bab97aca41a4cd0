//! An entity type of a shared table: its name, written on each of its items
//! in the table's entity attribute, and the key templates its items' key
//! attributes are written from. Built by hand here; the derive will emit the
//! same data. The rules it must meet are `dynamo_model_rules::entity_problems`,
//! one function for both.

use aws_sdk_dynamodb::types::AttributeValue;

use super::template::{KeyTemplate, RenderValue};
use crate::error::{Error, Result};
use crate::TableSchema;

/// The key attribute a template writes, and the template.
#[derive(Debug, Clone, PartialEq, Eq)]
struct KeyOf {
    /// `pk`, `sk`, `<index>.pk` or `<index>.sk`, for messages and rules.
    role: String,
    /// The physical attribute.
    attribute: String,
    template: KeyTemplate,
    /// A table key must be written; an index key is left out (the item is
    /// out of that index) when one of its fields has no value.
    required: bool,
}

/// An entity type of a shared table (single-table design).
///
/// ```
/// use dynamo_model::{AttributeType, EntitySchema, TableSchema};
/// use dynamo_model::aws_sdk_dynamodb::types::AttributeValue;
///
/// let table = TableSchema::builder("app")
///     .hash_key("pk", AttributeType::S)
///     .range_key("sk", AttributeType::S)
///     .build()?;
/// let user = EntitySchema::builder(&table, "user")
///     .pk("USER#{id}")
///     .sk("PROFILE")
///     .build(&["id", "name"])?;
/// let id = "u1".to_owned();
/// let keys = user.key_attributes(&|field| (field == "id").then_some(&id as _))?;
/// assert_eq!(keys, [
///     ("pk".to_owned(), AttributeValue::S("USER#u1".into())),
///     ("sk".to_owned(), AttributeValue::S("PROFILE".into())),
///     ("_type".to_owned(), AttributeValue::S("user".into())),
/// ]);
/// # Ok::<(), dynamo_model::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitySchema {
    table: String,
    name: String,
    entity_attribute: String,
    keys: Vec<KeyOf>,
}

/// Builds an [`EntitySchema`]: [`EntitySchema::builder`].
#[derive(Debug, Clone)]
pub struct EntitySchemaBuilder {
    table: TableSchema,
    name: String,
    entity_attribute: String,
    templates: Vec<(String, String)>,
}

/// The entity attribute of a table built without a table definition.
pub const DEFAULT_ENTITY_ATTRIBUTE: &str = "_type";

impl EntitySchema {
    /// An entity named `name` of `table`: give its key templates, then
    /// [`build`](EntitySchemaBuilder::build) it against its fields.
    pub fn builder(table: &TableSchema, name: impl Into<String>) -> EntitySchemaBuilder {
        EntitySchemaBuilder {
            table: table.clone(),
            name: name.into(),
            entity_attribute: DEFAULT_ENTITY_ATTRIBUTE.to_owned(),
            templates: Vec::new(),
        }
    }

    /// The entity's name, written on its items.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The attribute its name is written in.
    pub fn entity_attribute(&self) -> &str {
        &self.entity_attribute
    }

    /// The template of a key role (`"pk"`, `"sk"`, `"gsi1.pk"`).
    pub fn template(&self, role: &str) -> Option<&KeyTemplate> {
        self.keys
            .iter()
            .find(|k| k.role == role)
            .map(|k| &k.template)
    }

    /// The key attributes of an item, rendered from its fields' values
    /// (`value` gives a field's value by name, `None` for a field without
    /// one), then the entity attribute. An index key a field of which has
    /// no value is left out, so the item is out of that index; a table key
    /// that cannot be rendered is an error.
    pub fn key_attributes<'v>(
        &self,
        value: &dyn Fn(&str) -> Option<&'v dyn RenderValue>,
    ) -> Result<Vec<(String, AttributeValue)>> {
        let mut out = Vec::with_capacity(self.keys.len() + 1);
        // An index left out for one of its keys is left out for both.
        let mut left_out: Vec<&str> = Vec::new();
        fn index_of(key: &KeyOf) -> Option<&str> {
            key.role.split_once('.').map(|(index, _)| index)
        }
        'keys: for key in &self.keys {
            let mut values = Vec::new();
            for field in key.template.fields() {
                match value(field) {
                    Some(v) => values.push(v),
                    None if key.required => {
                        return Err(Error::invalid(
                            &self.table,
                            "key",
                            format!(
                                "entity `{}` has no value for field `{field}` of its `{}` template `{}`",
                                self.name,
                                key.role,
                                key.template.text()
                            ),
                        ))
                    }
                    None => {
                        left_out.extend(index_of(key));
                        continue 'keys;
                    }
                }
            }
            let rendered = key.template.render(&values).map_err(|why| {
                Error::invalid(&self.table, "key", format!("entity `{}`: {why}", self.name))
            })?;
            out.push((key.attribute.clone(), AttributeValue::S(rendered)));
        }
        out.retain(|(attribute, _)| {
            !self.keys.iter().any(|key| {
                key.attribute == *attribute && index_of(key).is_some_and(|i| left_out.contains(&i))
            })
        });
        out.push((
            self.entity_attribute.clone(),
            AttributeValue::S(self.name.clone()),
        ));
        Ok(out)
    }

    /// Refuses an item of another entity (or of none): reading it as this
    /// one would give a garbled value or a confusing decoding error.
    pub fn check_entity(
        &self,
        item: &std::collections::HashMap<String, AttributeValue>,
    ) -> Result<()> {
        match item.get(&self.entity_attribute) {
            Some(AttributeValue::S(name)) if *name == self.name => Ok(()),
            found => Err(Error::invalid(
                &self.table,
                "entity",
                format!(
                    "the item is {}, not a `{}` (attribute `{}`)",
                    match found {
                        Some(AttributeValue::S(other)) => format!("a `{other}`"),
                        Some(_) => "of no entity (the entity attribute is not a string)".to_owned(),
                        None => "of no entity (it has no entity attribute)".to_owned(),
                    },
                    self.name,
                    self.entity_attribute
                ),
            )),
        }
    }
}

impl EntitySchemaBuilder {
    /// The template of the table's partition key.
    pub fn pk(self, template: impl Into<String>) -> Self {
        self.key("pk", template)
    }

    /// The template of the table's sort key.
    pub fn sk(self, template: impl Into<String>) -> Self {
        self.key("sk", template)
    }

    /// The templates of an index's keys (`sk`: `None` for an index without
    /// a sort key, or to leave it out).
    pub fn index(self, index: &str, pk: impl Into<String>, sk: Option<&str>) -> Self {
        let this = self.key(&format!("{index}.pk"), pk);
        match sk {
            Some(sk) => this.key(&format!("{index}.sk"), sk),
            None => this,
        }
    }

    /// The attribute the entity's name is written in (default `_type`).
    pub fn entity_attribute(mut self, attribute: impl Into<String>) -> Self {
        self.entity_attribute = attribute.into();
        self
    }

    fn key(mut self, role: &str, template: impl Into<String>) -> Self {
        self.templates.push((role.to_owned(), template.into()));
        self
    }

    /// Checks the templates against the table and the entity's `fields`
    /// (every rule of `dynamo_model_rules::entity_problems`), or returns
    /// [`Error::InvalidSchema`] with every problem.
    pub fn build(self, fields: &[&str]) -> Result<EntitySchema> {
        let table = self.table.table_name().to_owned();
        let indexes: Vec<(&str, bool, bool)> = self
            .table
            .global_indexes()
            .iter()
            .map(|g| (g.name(), !g.range_keys().is_empty(), false))
            .chain(
                self.table
                    .local_indexes()
                    .iter()
                    .map(|l| (l.name(), true, true)),
            )
            .collect();
        let templates: Vec<(&str, &str)> = self
            .templates
            .iter()
            .map(|(role, text)| (role.as_str(), text.as_str()))
            .collect();
        let mut problems = dynamo_model_rules::entity_problems(
            &self.name,
            self.table.range_key().is_some(),
            &templates,
            &indexes,
            fields,
        );
        if self.entity_attribute.is_empty() {
            problems.push("the entity attribute cannot have an empty name".to_owned());
        }
        if !problems.is_empty() {
            return Err(Error::InvalidSchema { table, problems });
        }
        let attribute_of = |role: &str| -> String {
            match role.split_once('.') {
                None if role == "pk" => self.table.hash_key().name().to_owned(),
                None => self.table.range_key().expect("checked").name().to_owned(),
                Some((index, key)) => {
                    let (hash, range) = index_keys(&self.table, index);
                    if key == "pk" {
                        hash
                    } else {
                        range.expect("checked")
                    }
                }
            }
        };
        let keys = self
            .templates
            .iter()
            .map(|(role, text)| KeyOf {
                role: role.clone(),
                attribute: attribute_of(role),
                template: KeyTemplate::parse(text.clone()).expect("checked"),
                required: !role.contains('.'),
            })
            .collect();
        Ok(EntitySchema {
            table,
            name: self.name,
            entity_attribute: self.entity_attribute,
            keys,
        })
    }
}

/// An index's partition and sort key attribute (the first of each: a
/// template writes one string attribute).
fn index_keys(table: &TableSchema, index: &str) -> (String, Option<String>) {
    if let Some(g) = table.global_indexes().iter().find(|g| g.name() == index) {
        return (
            g.hash_keys()
                .first()
                .map(|k| k.name().to_owned())
                .unwrap_or_default(),
            g.range_keys().first().map(|k| k.name().to_owned()),
        );
    }
    let l = table
        .local_indexes()
        .iter()
        .find(|l| l.name() == index)
        .expect("checked");
    (
        table.hash_key().name().to_owned(),
        Some(l.range_key().name().to_owned()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AttributeType;

    #[test]
    fn an_index_whose_field_has_no_value_is_left_out_whole() {
        let table = TableSchema::builder("app")
            .hash_key("pk", AttributeType::S)
            .global_index("gsi1", |i| {
                i.hash_key("gsi1pk", AttributeType::S)
                    .range_key("gsi1sk", AttributeType::S)
            })
            .build()
            .unwrap();
        let user = EntitySchema::builder(&table, "user")
            .pk("USER#{id}")
            .index("gsi1", "EMAIL#{email}", Some("USER"))
            .build(&["id", "email"])
            .unwrap();
        let id = "u1".to_owned();
        let keys = user
            .key_attributes(&|field| (field == "id").then_some(&id as _))
            .unwrap();
        let names: Vec<&str> = keys.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["pk", "_type"]);
        let err = user.key_attributes(&|_| None).unwrap_err();
        assert!(err.to_string().contains("no value for field `id`"), "{err}");
    }
}
