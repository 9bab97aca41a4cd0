//! An entity type of a shared table: its name, written on each of its items
//! in the table's entity attribute, and the key templates its items' key
//! attributes are written from. Built by hand here; the derive will emit the
//! same data. The rules it must meet are `dynamo_model_rules::entity_problems`,
//! one function for both.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::template::{KeyTemplate, RenderValue};
use crate::error::{Error, Result};
use crate::TableSchema;

/// The key attribute a template writes, and the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct KeyOf {
    /// `pk`, `sk`, `<index>.pk` or `<index>.sk`, for messages and rules.
    pub(super) role: String,
    /// The physical attribute.
    attribute: String,
    pub(super) template: KeyTemplate,
}

impl KeyOf {
    /// The index it is a key of; `None` for a table key, which must be
    /// written (an index key is left out, and the item with it out of the
    /// index, when it cannot be rendered).
    fn index(&self) -> Option<&str> {
        dynamo_model_rules::role_index(&self.role)
    }
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
    pub(super) keys: Vec<KeyOf>,
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

    /// An entity of a table definition, with the definition's entity
    /// attribute.
    pub fn builder_for<T: crate::DynamoTable>(name: impl Into<String>) -> EntitySchemaBuilder {
        EntitySchema::builder(T::schema(), name).entity_attribute(T::ENTITY_ATTRIBUTE)
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

    /// The fields an item's key is given by, in the order
    /// [`EntityKey`](crate::EntityKey) takes them: the placeholders of the
    /// `pk` template, then those of the `sk` template not in `pk`.
    pub fn key_fields(&self) -> Vec<&str> {
        let mut fields: Vec<&str> = Vec::new();
        for role in ["pk", "sk"] {
            for field in self
                .template(role)
                .into_iter()
                .flat_map(KeyTemplate::fields)
            {
                if !fields.contains(&field) {
                    fields.push(field);
                }
            }
        }
        fields
    }

    /// The table key's values (partition, then sort where the table has
    /// one) rendered from `values`, given in [`key_fields`](Self::key_fields)
    /// order.
    pub(crate) fn key_of(
        &self,
        values: &[&dyn RenderValue],
    ) -> Result<[Option<AttributeValue>; 2]> {
        let fields = self.key_fields();
        if fields.len() != values.len() {
            return Err(Error::invalid(
                &self.table,
                "key",
                format!(
                    "entity `{}` is keyed by {} value(s) ({}), and {} were given",
                    self.name,
                    fields.len(),
                    fields.join(", "),
                    values.len()
                ),
            ));
        }
        let value = |field: &str| fields.iter().position(|f| *f == field).map(|i| values[i]);
        let mut found = [None, None];
        for (slot, role) in found.iter_mut().zip(["pk", "sk"]) {
            if let Some(key) = self.keys.iter().find(|k| k.role == role) {
                *slot = self.render(key, &value)?.map(AttributeValue::S);
            }
        }
        Ok(found)
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
        // Each rendered key with its index; an index left out for one of
        // its keys is left out for both (by role: a table key is never
        // dropped for an index).
        let mut rendered: Vec<(Option<&str>, &str, String)> = Vec::with_capacity(self.keys.len());
        let mut left_out: Vec<&str> = Vec::new();
        for key in &self.keys {
            let index = key.index();
            match self.render(key, value)? {
                Some(text) => rendered.push((index, &key.attribute, text)),
                None => left_out.extend(index),
            }
        }
        let mut out: Vec<(String, AttributeValue)> = rendered
            .into_iter()
            .filter(|(index, ..)| index.is_none_or(|i| !left_out.contains(&i)))
            .map(|(_, attribute, text)| (attribute.to_owned(), AttributeValue::S(text)))
            .collect();
        out.push((
            self.entity_attribute.clone(),
            AttributeValue::S(self.name.clone()),
        ));
        Ok(out)
    }

    /// One key rendered; `None` for an index key that has no value or
    /// renders empty (DynamoDB refuses an empty key, for an index too), an
    /// error for a table key.
    pub(super) fn render<'v>(
        &self,
        key: &KeyOf,
        value: &dyn Fn(&str) -> Option<&'v dyn RenderValue>,
    ) -> Result<Option<String>> {
        let table_key = key.index().is_none();
        let mut values = Vec::with_capacity(4);
        for field in key.template.fields() {
            match value(field) {
                Some(v) => values.push(v),
                None if table_key => {
                    return Err(self.unrenderable(key, &format!("no value for field `{field}`")))
                }
                None => return Ok(None),
            }
        }
        let text = key
            .template
            .render(&values)
            .map_err(|why| self.unrenderable(key, &why.to_string()))?;
        if text.is_empty() {
            if table_key {
                return Err(self.unrenderable(key, "it renders as an empty string"));
            }
            return Ok(None);
        }
        Ok(Some(text))
    }

    pub(super) fn unrenderable(&self, key: &KeyOf, why: &str) -> Error {
        Error::invalid(
            &self.table,
            "key",
            format!(
                "entity `{}` cannot write its `{}` key (template `{}`): {why}",
                self.name,
                key.role,
                key.template.text()
            ),
        )
    }

    /// Refuses an item of another entity (or of none): reading it as this
    /// one would give a garbled value or a confusing decoding error.
    /// [`Error::WrongEntity`] names the entity the item is of.
    pub fn check_entity(&self, item: &HashMap<String, AttributeValue>) -> Result<()> {
        self.check_in(&self.table, item)
    }

    fn check_in(&self, table: &str, item: &HashMap<String, AttributeValue>) -> Result<()> {
        match item.get(&self.entity_attribute) {
            Some(AttributeValue::S(name)) if *name == self.name => Ok(()),
            found => {
                let key: Vec<String> = self
                    .keys
                    .iter()
                    .filter(|k| k.index().is_none())
                    .filter_map(|k| match item.get(&k.attribute) {
                        Some(AttributeValue::S(s)) => Some(format!("{} = {s:?}", k.attribute)),
                        _ => None,
                    })
                    .collect();
                Err(Error::WrongEntity {
                    table: table.to_owned(),
                    key: (!key.is_empty()).then(|| key.join(", ")),
                    expected: self.name.clone(),
                    found: match found {
                        Some(AttributeValue::S(other)) => Some(other.clone()),
                        _ => None,
                    },
                    attribute: self.entity_attribute.clone(),
                })
            }
        }
    }

    /// An item read from `table` (as sent), made ready to decode: refused
    /// when it is of another entity, and without the attributes the
    /// entity's templates and name wrote, which are not fields.
    pub(crate) fn read_item(
        &self,
        table: &str,
        item: &mut HashMap<String, AttributeValue>,
    ) -> Result<()> {
        self.check_in(table, item)?;
        for attribute in self.written_attributes() {
            item.remove(attribute);
        }
        Ok(())
    }

    /// The attributes the entity's templates and name are written in,
    /// which are not fields.
    pub(crate) fn written_attributes(&self) -> impl Iterator<Item = &str> {
        self.keys
            .iter()
            .map(|k| k.attribute.as_str())
            .chain(std::iter::once(self.entity_attribute.as_str()))
    }
}

/// The entity of model `M`, or an error for a model that is none (a key
/// given as an entity's to a model whose `Key` is not an `EntityKey`).
pub(crate) fn entity_of<M: crate::DynamoModel>() -> Result<&'static EntitySchema> {
    match M::entity() {
        Some(entity) => entity,
        None => Err(Error::invalid(
            M::schema().table_name(),
            "key",
            "the key was given as an entity's placeholder values, and the model is not an entity of a shared table",
        )),
    }
}

/// Where the derive keeps an entity's schema: built at first use, once.
#[doc(hidden)]
pub type EntityCell = std::sync::OnceLock<std::result::Result<EntitySchema, (String, Vec<String>)>>;

/// The entity schema in `cell`, built by `build` at first use. A schema
/// that breaks a rule the derive could not check (one that needs the
/// table's definition) is the same [`Error::InvalidSchema`] at every use.
#[doc(hidden)]
pub fn built_entity(
    cell: &'static EntityCell,
    build: impl FnOnce() -> Result<EntitySchema>,
) -> Result<&'static EntitySchema> {
    let built = cell.get_or_init(|| match build() {
        Ok(entity) => Ok(entity),
        Err(Error::InvalidSchema { table, problems }) => Err((table, problems)),
        Err(other) => Err((String::new(), vec![other.to_string()])),
    });
    match built {
        Ok(entity) => Ok(entity),
        Err((table, problems)) => Err(Error::InvalidSchema {
            table: table.clone(),
            problems: problems.clone(),
        }),
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

    /// The template of a local index's sort key (its partition key is the
    /// table's).
    pub fn local_index(self, index: &str, sk: impl Into<String>) -> Self {
        self.key(&format!("{index}.sk"), sk)
    }

    /// The attribute the entity's name is written in (default `_type`;
    /// [`EntitySchema::builder_for`] takes the table definition's).
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
        let named: Vec<(&str, &str)> = fields.iter().map(|f| (*f, *f)).collect();
        self.build_stored(&named)
    }

    /// [`build`](Self::build) for fields stored under other names than
    /// their own (serde renames): each field's name (what placeholders
    /// name) and its attribute name.
    pub fn build_stored(self, fields: &[(&str, &str)]) -> Result<EntitySchema> {
        let table = self.table.table_name().to_owned();
        let slots = key_slots(&self.table);
        let templates: Vec<(&str, &str)> = self
            .templates
            .iter()
            .map(|(role, text)| (role.as_str(), text.as_str()))
            .collect();
        let mut problems = match self.table.validate() {
            Err(Error::InvalidSchema { problems, .. }) => problems,
            Err(other) => vec![other.to_string()],
            Ok(()) => Vec::new(),
        };
        problems.extend(dynamo_model_rules::entity_problems(
            &self.name,
            &self.entity_attribute,
            &slots,
            &templates,
            fields,
        ));
        if !problems.is_empty() {
            return Err(Error::InvalidSchema { table, problems });
        }
        let keys = self
            .templates
            .iter()
            .map(|(role, text)| KeyOf {
                role: role.clone(),
                attribute: slots
                    .iter()
                    .find(|s| s.role == *role)
                    .expect("checked")
                    .attribute
                    .to_owned(),
                template: KeyTemplate::parse(text.clone()).expect("checked"),
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

/// Every key attribute of `table` a template could write, by role.
fn key_slots(table: &TableSchema) -> Vec<dynamo_model_rules::KeySlot<'_>> {
    use dynamo_model_rules::KeySlot;
    fn slot<'t>(
        role: String,
        keys: &[&'t crate::KeyAttribute],
        local_partition: bool,
    ) -> Option<KeySlot<'t>> {
        keys.first().map(|key| KeySlot {
            role,
            attribute: key.name(),
            string: keys
                .iter()
                .all(|k| k.attribute_type() == crate::AttributeType::S),
            multi: keys.len() > 1,
            local_partition,
        })
    }
    let mut slots: Vec<KeySlot<'_>> = Vec::new();
    slots.extend(slot("pk".into(), &[table.hash_key()], false));
    slots.extend(slot(
        "sk".into(),
        &table.range_key().into_iter().collect::<Vec<_>>(),
        false,
    ));
    for g in table.global_indexes() {
        let name = g.name();
        slots.extend(slot(
            format!("{name}.pk"),
            &g.hash_keys().iter().collect::<Vec<_>>(),
            false,
        ));
        slots.extend(slot(
            format!("{name}.sk"),
            &g.range_keys().iter().collect::<Vec<_>>(),
            false,
        ));
    }
    for l in table.local_indexes() {
        let name = l.name();
        slots.extend(slot(format!("{name}.pk"), &[table.hash_key()], true));
        slots.extend(slot(format!("{name}.sk"), &[l.range_key()], false));
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AttributeType;

    /// A table keyed `pk` (and `sk`), with a GSI `index` keyed `gsi1pk` and
    /// `index_sort`.
    fn table(sk: bool, index: &str, index_sort: &str) -> TableSchema {
        let builder = TableSchema::builder("app").hash_key("pk", AttributeType::S);
        let builder = if sk {
            builder.range_key("sk", AttributeType::S)
        } else {
            builder
        };
        builder
            .global_index(index, |i| {
                i.hash_key("gsi1pk", AttributeType::S)
                    .range_key(index_sort, AttributeType::S)
            })
            .build()
            .unwrap()
    }

    /// The names of the attributes written.
    fn names(keys: &[(String, AttributeValue)]) -> Vec<&str> {
        keys.iter().map(|(n, _)| n.as_str()).collect()
    }

    #[test]
    fn an_index_whose_field_has_no_value_is_left_out_whole() {
        let table = table(false, "gsi1", "gsi1sk");
        let user = EntitySchema::builder(&table, "user")
            .pk("USER#{id}")
            .index("gsi1", "EMAIL#{email}", Some("USER"))
            .build(&["id", "email"])
            .unwrap();
        let id = "u1".to_owned();
        let keys = user
            .key_attributes(&|field| (field == "id").then_some(&id as _))
            .unwrap();
        assert_eq!(names(&keys), ["pk", "_type"]);
        let err = user.key_attributes(&|_| None).unwrap_err();
        assert!(err.to_string().contains("no value for field `id`"), "{err}");
        let bare = EntitySchema::builder(&table, "bare")
            .pk("{id}")
            .index("gsi1", "{email}", Some("X"))
            .build(&["id", "email"])
            .unwrap();
        let empty = String::new();
        let err = bare
            .key_attributes(&|field| (field == "id").then_some(&empty as _))
            .unwrap_err();
        assert!(err.to_string().contains("empty string"), "{err}");
        // An empty index key leaves the item out of the index.
        let keys = bare
            .key_attributes(&|field| Some(if field == "id" { &id as _ } else { &empty as _ }))
            .unwrap();
        assert_eq!(names(&keys), ["pk", "_type"]);
    }

    /// An index sharing the table's sort key (an overloaded index): left
    /// out, it takes nothing of the table's key with it.
    #[test]
    fn an_index_left_out_never_drops_a_table_key() {
        let table = table(true, "inverted", "sk");
        let user = EntitySchema::builder(&table, "user")
            .pk("USER#{id}")
            .sk("PROFILE")
            .index("inverted", "EMAIL#{email}", None)
            .build(&["id", "email"])
            .unwrap();
        let id = "u1".to_owned();
        let keys = user
            .key_attributes(&|field| (field == "id").then_some(&id as _))
            .unwrap();
        assert_eq!(names(&keys), ["pk", "sk", "_type"]);
        let err = EntitySchema::builder(&table, "user")
            .pk("USER#{id}")
            .sk("PROFILE")
            .index("inverted", "EMAIL#{email}", Some("X"))
            .build(&["id", "email"])
            .unwrap_err();
        assert!(
            err.to_string().contains("which `sk` already writes"),
            "{err}"
        );
        let numeric = TableSchema::builder("numbers")
            .hash_key("id", AttributeType::N)
            .build()
            .unwrap();
        let err = EntitySchema::builder(&numeric, "x")
            .pk("{id}")
            .build(&["id"])
            .unwrap_err();
        assert!(err.to_string().contains("not a string key"), "{err}");
    }
}
