//! What an entity's key templates must satisfy against its table: written
//! once, for the derive (compile errors) and the runtime's hand-built
//! entities (`EntitySchema::builder`).

use crate::template::template_fields;

/// The problems of an entity's templates, in words: each template names a
/// key the table has, the table's keys all get one (an item without them
/// cannot be written), an index's sort template comes with its partition
/// template, every placeholder is one of `fields`, and the entity has a
/// name.
///
/// `table_range`: whether the table has a sort key. `templates`: each key
/// attribute role as written (`"pk"`, `"sk"`, or `"<index>.pk"` and
/// `"<index>.sk"`), with its template text. `indexes`: the table's indexes:
/// name, whether it has a sort key, whether it is local (an LSI's partition
/// key is the table's, so it takes only `sk`).
///
/// ```
/// use dynamo_model_rules::entity_problems;
/// let ok = entity_problems("user", false, &[("pk", "USER#{id}")], &[], &["id"]);
/// assert!(ok.is_empty());
/// let bad = entity_problems("", false, &[("sk", "X"), ("pk", "U#{nope}")], &[], &["id"]);
/// assert_eq!(bad.len(), 3);
/// ```
pub fn entity_problems(
    name: &str,
    table_range: bool,
    templates: &[(&str, &str)],
    indexes: &[(&str, bool, bool)],
    fields: &[&str],
) -> Vec<String> {
    let mut out = Vec::new();
    if name.is_empty() {
        out.push("an entity needs a name (`entity = \"user\"`), written on its items".to_owned());
    }
    let given = |role: &str| templates.iter().any(|(r, _)| *r == role);
    if !given("pk") {
        out.push(
            "an entity needs the template of the table's partition key (`pk = \"...\"`)".to_owned(),
        );
    }
    if table_range && !given("sk") {
        out.push(
            "the table has a sort key, so the entity needs its template (`sk = \"...\"`)"
                .to_owned(),
        );
    }
    for (i, (role, template)) in templates.iter().enumerate() {
        if templates[..i].iter().any(|(earlier, _)| earlier == role) {
            out.push(format!("the `{role}` template is given twice"));
        }
        let index = role
            .split_once('.')
            .map(|(name, key)| (name, key, indexes.iter().find(|(n, ..)| *n == name)));
        match index {
            None if *role == "pk" || (*role == "sk" && table_range) => {}
            None => out.push(format!(
                "the table has no sort key, so `{role}` has no attribute to write"
            )),
            Some((name, _, None)) => out.push(format!("the table has no index `{name}`")),
            Some((name, "pk", Some((_, _, true)))) => out.push(format!(
                "index `{name}` is local: its partition key is the table's, so give only its `sk`"
            )),
            Some((_, "pk", Some(_))) => {}
            Some((_, "sk", Some((_, true, _)))) => {}
            Some((name, key, Some(_))) => out.push(format!(
                "index `{name}` has no sort key, so `{name}({key} = ...)` has no attribute to write"
            )),
        }
        if let Some((name, "sk", Some((_, _, false)))) = index {
            let index = name;
            if !given(&format!("{index}.pk")) {
                out.push(format!(
                    "index `{index}` gets a sort key template without its partition key template (`{index}(pk = \"...\", sk = ...)`)"
                ));
            }
        }
        match template_fields(template) {
            Err(problem) => out.push(problem),
            Ok(placeholders) => {
                for placeholder in placeholders {
                    if !fields.contains(&placeholder) {
                        out.push(format!(
                            "placeholder `{{{placeholder}}}` of key template `{template}` is not a field of the entity"
                        ));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_problem_is_said() {
        let fields = ["id", "email"];
        let indexes = [
            ("gsi1", true, false),
            ("gsi2", false, false),
            ("lsi1", true, true),
        ];
        let cases: [(&[(&str, &str)], &str); 9] = [
            (&[("sk", "P")], "partition key"),
            (&[("pk", "U#{id}")], "needs its template (`sk"),
            (
                &[("pk", "U#{id}"), ("sk", "P"), ("gsi9.pk", "X")],
                "no index `gsi9`",
            ),
            (
                &[
                    ("pk", "U#{id}"),
                    ("sk", "P"),
                    ("gsi2.pk", "X"),
                    ("gsi2.sk", "Y"),
                ],
                "index `gsi2` has no sort key",
            ),
            (
                &[("pk", "U#{id}"), ("sk", "P"), ("gsi1.sk", "Y")],
                "without its partition key",
            ),
            (&[("pk", "U#{nope}"), ("sk", "P")], "`{nope}`"),
            (&[("pk", "U#{id"), ("sk", "P")], "without a closing"),
            (
                &[("pk", "U#{id}"), ("sk", "P"), ("lsi1.pk", "X")],
                "is local",
            ),
            (&[("pk", "U#{id}"), ("sk", "P"), ("pk", "U")], "given twice"),
        ];
        for (templates, says) in cases {
            let problems = entity_problems("user", true, templates, &indexes, &fields);
            assert!(
                problems.iter().any(|p| p.contains(says)),
                "{says}: {problems:?}"
            );
        }
        let problems = entity_problems(
            "user",
            false,
            &[("pk", "U#{id}"), ("sk", "P")],
            &[],
            &fields,
        );
        assert!(problems[0].contains("no sort key"), "{problems:?}");
        let fine = entity_problems(
            "user",
            true,
            &[
                ("pk", "USER#{id}"),
                ("sk", "PROFILE"),
                ("gsi1.pk", "EMAIL#{email}"),
                ("gsi1.sk", "USER"),
                ("lsi1.sk", "AT#{email}"),
            ],
            &indexes,
            &fields,
        );
        assert!(fine.is_empty(), "{fine:?}");
    }
}
