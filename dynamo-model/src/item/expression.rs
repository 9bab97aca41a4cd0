//! Expression placeholders. Every attribute name in an expression becomes
//! `#n<i>` and every value `:v<i>`, so any name works (DynamoDB's reserved
//! words `status`, `name`, `date` included) and no value is ever spliced
//! into expression text.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

/// `ExpressionAttributeNames`.
pub(crate) type Names = HashMap<String, String>;
/// `ExpressionAttributeValues`.
pub(crate) type Values = HashMap<String, AttributeValue>;

/// The names and values of the expressions of one request.
#[derive(Debug, Default)]
pub(crate) struct Placeholders {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Placeholders {
    /// The placeholder of attribute `name` (one per name per request).
    pub(crate) fn name(&mut self, name: &str) -> String {
        if let Some((placeholder, _)) = self.names.iter().find(|(_, n)| n.as_str() == name) {
            return placeholder.clone();
        }
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), name.to_owned());
        placeholder
    }

    /// A new placeholder for `value`.
    pub(crate) fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// `ExpressionAttributeNames`, `None` when empty (DynamoDB refuses an
    /// empty map).
    pub(crate) fn into_parts(self) -> (Option<Names>, Option<Values>) {
        let names = (!self.names.is_empty()).then_some(self.names);
        let values = (!self.values.is_empty()).then_some(self.values);
        (names, values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_placeholder_per_name_and_one_per_value() {
        let mut p = Placeholders::default();
        assert_eq!(p.name("status"), "#n0");
        assert_eq!(p.name("date"), "#n1");
        assert_eq!(p.name("status"), "#n0");
        assert_eq!(p.value(AttributeValue::N("1".into())), ":v0");
        assert_eq!(p.value(AttributeValue::N("1".into())), ":v1");
        let (names, values) = p.into_parts();
        assert_eq!(names.unwrap()["#n1"], "date");
        assert_eq!(values.unwrap().len(), 2);
    }

    #[test]
    fn empty_maps_are_left_out() {
        assert_eq!(Placeholders::default().into_parts(), (None, None));
    }
}
