//! What an entity's key templates must satisfy against its table: written
//! once, for the derive (compile errors) and the runtime's hand-built
//! entities (`EntitySchema::builder`). Roles are named as both write them:
//! `pk`, `sk`, and `<index>.pk`, `<index>.sk`.

use crate::template::template_fields;

/// One key attribute of the table that a template could write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySlot<'a> {
    /// `pk`, `sk`, `<index>.pk` or `<index>.sk`.
    pub role: String,
    /// The attribute's name.
    pub attribute: &'a str,
    /// Whether its type is S: a template writes a string.
    pub string: bool,
    /// Whether the role has more than one attribute (a multi-attribute GSI
    /// key), which one template cannot write.
    pub multi: bool,
    /// An LSI's partition key, which is the table's: no template of its own.
    pub local_partition: bool,
}

/// The index a role belongs to (`gsi1.pk`: `gsi1`; index names may hold
/// dots, the key part never does).
pub fn role_index(role: &str) -> Option<&str> {
    role.rsplit_once('.').map(|(index, _)| index)
}

/// The problems of an entity, in words: it has a name and an entity
/// attribute of its own; its templates write the table's partition key
/// (and sort key, if the table has one), each a string key attribute of one
/// attribute that no other template writes; an index's sort template comes
/// with its partition template, and a partition template with a sort key
/// the item will have; every placeholder is one of `fields` (each a field's
/// name and the attribute name it is stored under), and no field is stored
/// under the name of an attribute the templates or the entity attribute
/// write.
///
/// ```
/// use dynamo_model_rules::{entity_problems, KeySlot};
/// let slots = [KeySlot { role: "pk".into(), attribute: "pk", string: true, multi: false, local_partition: false }];
/// assert!(entity_problems("user", "_type", &slots, &[("pk", "USER#{id}")], &[("id", "id")]).is_empty());
/// let bad = entity_problems("", "_type", &slots, &[("sk", "X"), ("pk", "U#{nope}")], &[("id", "id")]);
/// assert_eq!(bad.len(), 3);
/// ```
pub fn entity_problems(
    name: &str,
    entity_attribute: &str,
    slots: &[KeySlot<'_>],
    templates: &[(&str, &str)],
    fields: &[(&str, &str)],
) -> Vec<String> {
    let mut out = Vec::new();
    if name.is_empty() {
        out.push("an entity needs a name, written on its items".to_owned());
    }
    if entity_attribute.is_empty() {
        out.push("the entity attribute cannot have an empty name".to_owned());
    }
    let given = |role: &str| templates.iter().any(|(r, _)| *r == role);
    let slot = |role: &str| slots.iter().find(|s| s.role == role);
    if !given("pk") {
        out.push("an entity needs the template of the table's partition key (`pk`)".to_owned());
    }
    if slot("sk").is_some() && !given("sk") {
        out.push("the table has a sort key, so the entity needs its template (`sk`)".to_owned());
    }
    let mut written: Vec<(&str, &str)> = Vec::new();
    for (i, (role, template)) in templates.iter().enumerate() {
        if templates[..i].iter().any(|(earlier, _)| earlier == role) {
            out.push(format!("the `{role}` template is given twice"));
            continue;
        }
        match slot(role) {
            None => out.push(match role_index(role) {
                Some(index) if slots.iter().any(|s| role_index(&s.role) == Some(index)) => {
                    format!("index `{index}` has no sort key, so `{role}` has no attribute to write")
                }
                Some(index) => format!("the table has no index `{index}`"),
                None if *role == "sk" => {
                    "the table has no sort key, so `sk` has no attribute to write".to_owned()
                }
                None => format!("`{role}` is not a key role (`pk`, `sk`, `<index>.pk`, `<index>.sk`)"),
            }),
            Some(s) if s.local_partition => out.push(format!(
                "index `{}` is local: its partition key is the table's, so give only its sort key template",
                role_index(role).unwrap_or_default()
            )),
            Some(s) if !s.string => out.push(format!(
                "`{role}` would write attribute `{}`, which is not a string key (a template writes a string)",
                s.attribute
            )),
            Some(s) if s.multi => out.push(format!(
                "`{role}` has several key attributes (a multi-attribute key), which one template cannot write"
            )),
            Some(s) => match written.iter().find(|(_, a)| *a == s.attribute) {
                Some((other, _)) => out.push(format!(
                    "`{role}` would write attribute `{}`, which `{other}` already writes; give the key one template",
                    s.attribute
                )),
                None => written.push((role, s.attribute)),
            },
        }
        match template_fields(template) {
            Err(problem) => out.push(problem),
            Ok(placeholders) => {
                for placeholder in placeholders {
                    if !fields.iter().any(|(name, _)| *name == placeholder) {
                        out.push(format!(
                            "placeholder `{{{placeholder}}}` of key template `{template}` is not a field of the entity"
                        ));
                    }
                }
            }
        }
    }
    for (role, _) in templates {
        let Some(index) = role_index(role) else {
            continue;
        };
        let partition = format!("{index}.pk");
        let sort = format!("{index}.sk");
        let local = slot(&partition).is_some_and(|s| s.local_partition);
        if role.ends_with(".sk") && !local && !given(&partition) {
            out.push(format!(
                "index `{index}` gets a sort key template without its partition key template (`{partition}`)"
            ));
        }
        if role.ends_with(".pk") {
            if let Some(sort_slot) = slot(&sort) {
                let filled = given(&sort)
                    || fields.iter().any(|(_, a)| *a == sort_slot.attribute)
                    || written.iter().any(|(_, a)| *a == sort_slot.attribute);
                if !filled {
                    out.push(format!(
                        "index `{index}` has a sort key (`{}`) that nothing writes, so the entity's items would never be in it: give `{sort}` too",
                        sort_slot.attribute
                    ));
                }
            }
        }
    }
    let key_attributes: Vec<&str> = slots.iter().map(|s| s.attribute).collect();
    if key_attributes.contains(&entity_attribute) {
        out.push(format!(
            "the entity attribute `{entity_attribute}` is a key attribute of the table; give it a name of its own"
        ));
    }
    for (field, attribute) in fields {
        let stored = if field == attribute {
            format!("field `{field}` has")
        } else {
            format!("field `{field}` is stored under `{attribute}`,")
        };
        if *attribute == entity_attribute {
            out.push(format!(
                "{stored} the name of the entity attribute, which the entity's name is written in"
            ));
        } else if written.iter().any(|(_, a)| a == attribute) {
            out.push(format!(
                "{stored} the name of a key attribute a template writes"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(role: &str, attribute: &'static str) -> KeySlot<'static> {
        KeySlot {
            role: role.to_owned(),
            attribute,
            string: true,
            multi: false,
            local_partition: false,
        }
    }

    fn slots() -> Vec<KeySlot<'static>> {
        vec![
            slot("pk", "pk"),
            slot("sk", "sk"),
            slot("gsi1.pk", "gsi1pk"),
            slot("gsi1.sk", "gsi1sk"),
            slot("gsi2.pk", "gsi2pk"),
            slot("over.pk", "gsi3pk"),
            slot("over.sk", "sk"),
            KeySlot {
                string: false,
                ..slot("num.pk", "n")
            },
            KeySlot {
                multi: true,
                ..slot("multi.pk", "tenant")
            },
            KeySlot {
                local_partition: true,
                ..slot("by.created.pk", "pk")
            },
            slot("by.created.sk", "created"),
        ]
    }

    #[test]
    fn each_problem_is_said() {
        let fields = [("id", "id"), ("email", "email"), ("created", "created")];
        let base = [("pk", "U#{id}"), ("sk", "P")];
        let with = |extra: &[(&'static str, &'static str)]| -> Vec<(&'static str, &'static str)> {
            base.iter().chain(extra).copied().collect()
        };
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (vec![("sk", "P")], "partition key (`pk`)"),
            (vec![("pk", "U#{id}")], "needs its template (`sk`)"),
            (with(&[("gsi9.pk", "X")]), "no index `gsi9`"),
            (
                with(&[("gsi2.pk", "X"), ("gsi2.sk", "Y")]),
                "index `gsi2` has no sort key",
            ),
            (with(&[("gsi1.sk", "Y")]), "without its partition key"),
            (with(&[("gsi1.pk", "E#{email}")]), "nothing writes"),
            (vec![("pk", "U#{nope}"), ("sk", "P")], "`{nope}`"),
            (vec![("pk", "U#{id"), ("sk", "P")], "without a closing"),
            (with(&[("by.created.pk", "X")]), "is local"),
            (with(&[("pk", "U")]), "given twice"),
            (
                with(&[("over.pk", "O#{id}"), ("over.sk", "X")]),
                "which `sk` already writes",
            ),
            (with(&[("num.pk", "X")]), "not a string key"),
            (with(&[("multi.pk", "X")]), "several key attributes"),
        ];
        for (templates, says) in cases {
            let problems = entity_problems("user", "_type", &slots(), &templates, &fields);
            assert!(
                problems.iter().any(|p| p.contains(says)),
                "{says}: {problems:?}"
            );
        }
        let fine = entity_problems(
            "user",
            "_type",
            &slots(),
            &with(&[
                ("gsi1.pk", "EMAIL#{email}"),
                ("gsi1.sk", "USER"),
                ("by.created.sk", "AT#{email}"),
                ("over.pk", "O#{id}"),
            ]),
            &[("id", "id"), ("email", "email"), ("name", "name")],
        );
        assert!(fine.is_empty(), "{fine:?}");
        let clash = entity_problems(
            "user",
            "sk",
            &slots(),
            &base,
            &[("id", "id"), ("pk", "pk"), ("kind", "_type")],
        );
        assert!(
            clash
                .iter()
                .any(|p| p.contains("entity attribute `sk` is a key attribute")),
            "{clash:?}"
        );
        assert!(clash.iter().any(|p| p.contains("field `pk`")), "{clash:?}");
        // By the name the field is stored under, not its Rust name.
        let renamed = entity_problems(
            "user",
            "_type",
            &slots(),
            &base,
            &[("id", "id"), ("pk", "partition"), ("kind", "_type")],
        );
        assert_eq!(renamed.len(), 1, "{renamed:?}");
        assert!(
            renamed[0].contains("field `kind` is stored under `_type`"),
            "{renamed:?}"
        );
        let no_range =
            entity_problems("user", "_type", &[slot("pk", "pk")], &base, &[("id", "id")]);
        assert!(no_range[0].contains("no sort key"), "{no_range:?}");
    }
}
