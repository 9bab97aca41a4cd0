//! Conditions: the `ConditionExpression` of a put, update or delete (and
//! later a query's filter), built from typed field paths or, where a name is
//! known only at run time, from [`Path`]s checked against the model before
//! the request.

use std::fmt;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;

use super::expression::Placeholders;
use super::field::{erased::Encodable, Container, Field, Prefixed, TypedValues, ValueOf};
use super::fields::{self, FieldInfo};

/// A condition on an item of model `M`, e.g.
/// `f.total.gt(100.0).and(f.status.ne("cancelled"))`.
///
/// ```
/// use dynamo_model::DynamoModel;
///
/// #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
/// struct Order {
///     #[hash_key]
///     id: String,
///     status: String,
///     total: f64,
///     tags: Vec<String>,
/// }
/// let f = Order::fields();
/// let paid = f.total.gt(100.0).and(f.status.ne("cancelled")).or(f.tags.contains("vip"));
/// let _not_big = f.tags.size().le(3).not();
/// # let _ = paid;
/// ```
pub struct Condition<M> {
    pub(crate) node: Node,
    model: PhantomData<fn() -> M>,
}

impl<M> Clone for Condition<M> {
    fn clone(&self) -> Self {
        Condition::from_node(self.node.clone())
    }
}

impl<M> fmt::Debug for Condition<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.node, f)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Compare(Operand, &'static str, Operand),
    Between(Operand, Operand, Operand),
    BeginsWith(Target, Operand),
    Contains(Target, Operand),
    Exists(Target),
    NotExists(Target),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
}

/// An attribute: by its item name (typed paths) or by Rust field name
/// (checked when the request is built).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target {
    Attribute(&'static str),
    Named(String),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Path(Target),
    Size(Target),
    /// A value, or why serde could not encode it (reported when the
    /// request is built, before it is sent).
    Value(Result<AttributeValue, String>),
    /// A by-name value, checked against its field's stored kind.
    NamedValue(String, Result<AttributeValue, String>),
}

impl<M> Condition<M> {
    fn from_node(node: Node) -> Self {
        Condition {
            node,
            model: PhantomData,
        }
    }

    /// Both conditions.
    pub fn and(self, other: Condition<M>) -> Condition<M> {
        Condition::from_node(Node::And(Box::new(self.node), Box::new(other.node)))
    }

    /// Either condition.
    pub fn or(self, other: Condition<M>) -> Condition<M> {
        Condition::from_node(Node::Or(Box::new(self.node), Box::new(other.node)))
    }

    /// The opposite condition.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Condition<M> {
        Condition::from_node(Node::Not(Box::new(self.node)))
    }

    /// A condition on the attribute of Rust field `name` of `M` (for a
    /// handle without a model: the attribute `name`), for names known only
    /// at run time. An unknown field, or a value whose stored type cannot
    /// match the field's, is [`Error::InvalidInput`](crate::Error) before
    /// any request.
    ///
    /// ```
    /// use dynamo_model::{Condition, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct Order { #[hash_key] id: String, status: String }
    /// let shipped = Condition::<Order>::path("status").eq("shipped");
    /// # let _ = shipped;
    /// ```
    pub fn path(name: &str) -> Path<M> {
        Path {
            name: name.to_owned(),
            model: PhantomData,
        }
    }

    /// The expression text, with names and values in `placeholders`.
    #[cfg(test)]
    pub(crate) fn render(
        &self,
        placeholders: &mut Placeholders,
        fields: Option<&[FieldInfo]>,
    ) -> Result<String, String> {
        self.node.render(placeholders, fields)
    }
}

impl Node {
    pub(crate) fn and_node(self, other: Node) -> Node {
        Node::And(Box::new(self), Box::new(other))
    }

    pub(crate) fn render(
        &self,
        p: &mut Placeholders,
        fields: Option<&[FieldInfo]>,
    ) -> Result<String, String> {
        Ok(match self {
            Node::Compare(left, op, right) => {
                let left = left.render(p, fields)?;
                let right = right.render(p, fields)?;
                format!("{left} {op} {right}")
            }
            Node::Between(operand, low, high) => {
                let operand = operand.render(p, fields)?;
                let low = low.render(p, fields)?;
                let high = high.render(p, fields)?;
                format!("{operand} BETWEEN {low} AND {high}")
            }
            Node::BeginsWith(target, prefix) => {
                let target = target.render(p, fields)?;
                format!("begins_with({target}, {})", prefix.render(p, fields)?)
            }
            Node::Contains(target, operand) => {
                let target = target.render(p, fields)?;
                format!("contains({target}, {})", operand.render(p, fields)?)
            }
            Node::Exists(target) => format!("attribute_exists({})", target.render(p, fields)?),
            Node::NotExists(target) => {
                format!("attribute_not_exists({})", target.render(p, fields)?)
            }
            Node::And(a, b) => format!("({}) AND ({})", a.render(p, fields)?, b.render(p, fields)?),
            Node::Or(a, b) => format!("({}) OR ({})", a.render(p, fields)?, b.render(p, fields)?),
            Node::Not(a) => format!("NOT ({})", a.render(p, fields)?),
        })
    }
}

impl Target {
    fn render(&self, p: &mut Placeholders, fields: Option<&[FieldInfo]>) -> Result<String, String> {
        Ok(p.name(&self.attribute(fields)?))
    }

    /// The attribute name: a by-name target is looked up in the model.
    fn attribute(&self, fields: Option<&[FieldInfo]>) -> Result<String, String> {
        match self {
            Target::Attribute(name) => Ok((*name).to_owned()),
            Target::Named(name) => match fields {
                Some(fields) => fields::find(fields, name).map(|f| f.attribute.to_owned()),
                None => Ok(name.clone()),
            },
        }
    }
}

impl Operand {
    fn render(&self, p: &mut Placeholders, fields: Option<&[FieldInfo]>) -> Result<String, String> {
        match self {
            Operand::Path(target) => target.render(p, fields),
            Operand::Size(target) => Ok(format!("size({})", target.render(p, fields)?)),
            Operand::Value(value) => Ok(p.value(value.clone()?)),
            Operand::NamedValue(name, value) => {
                let value = value.clone()?;
                if let Some(fields) = fields {
                    fields::find(fields, name)?.check_value(&value)?;
                }
                Ok(p.value(value))
            }
        }
    }
}

fn encode(value: &dyn Encodable) -> Operand {
    Operand::Value(value.encode())
}

impl<M, T, R> Field<M, T, R> {
    fn compare(self, op: &'static str, value: &dyn Encodable) -> Condition<M>
    where
        R: TypedValues,
    {
        Condition::from_node(Node::Compare(
            Operand::Path(Target::Attribute(self.attribute())),
            op,
            encode(value),
        ))
    }

    /// The stored value equals `value`.
    pub fn eq<V: ValueOf<T>>(self, value: V) -> Condition<M>
    where
        R: TypedValues,
    {
        self.compare("=", value.encodable())
    }

    /// The stored value differs from `value` (or the attribute is absent).
    pub fn ne<V: ValueOf<T>>(self, value: V) -> Condition<M>
    where
        R: TypedValues,
    {
        self.compare("<>", value.encodable())
    }

    /// The stored value is less than `value`.
    pub fn lt<V: ValueOf<T>>(self, value: V) -> Condition<M>
    where
        R: TypedValues,
    {
        self.compare("<", value.encodable())
    }

    /// The stored value is at most `value`.
    pub fn le<V: ValueOf<T>>(self, value: V) -> Condition<M>
    where
        R: TypedValues,
    {
        self.compare("<=", value.encodable())
    }

    /// The stored value is more than `value`.
    pub fn gt<V: ValueOf<T>>(self, value: V) -> Condition<M>
    where
        R: TypedValues,
    {
        self.compare(">", value.encodable())
    }

    /// The stored value is at least `value`.
    pub fn ge<V: ValueOf<T>>(self, value: V) -> Condition<M>
    where
        R: TypedValues,
    {
        self.compare(">=", value.encodable())
    }

    /// `low <= value <= high`.
    pub fn between<V: ValueOf<T>>(self, low: V, high: V) -> Condition<M>
    where
        R: TypedValues,
    {
        Condition::from_node(Node::Between(
            Operand::Path(Target::Attribute(self.attribute())),
            encode(low.encodable()),
            encode(high.encodable()),
        ))
    }

    /// The stored string starts with `prefix`.
    pub fn begins_with<V: ValueOf<T>>(self, prefix: V) -> Condition<M>
    where
        T: Prefixed,
        R: TypedValues,
    {
        Condition::from_node(Node::BeginsWith(
            Target::Attribute(self.attribute()),
            encode(prefix.encodable()),
        ))
    }

    /// The stored string contains `part`, or the list or set holds it.
    pub fn contains<V: ValueOf<T::Element>>(self, part: V) -> Condition<M>
    where
        T: Container,
        R: TypedValues,
    {
        Condition::from_node(Node::Contains(
            Target::Attribute(self.attribute()),
            encode(part.encodable()),
        ))
    }
}

impl<M, T, R> Field<M, T, R> {
    /// The item has this attribute.
    pub fn exists(self) -> Condition<M> {
        Condition::from_node(Node::Exists(Target::Attribute(self.attribute())))
    }

    /// The item lacks this attribute (or there is no item).
    pub fn not_exists(self) -> Condition<M> {
        Condition::from_node(Node::NotExists(Target::Attribute(self.attribute())))
    }

    /// The size of the stored value: a string's length in bytes, a binary's,
    /// the number of elements of a list, map or set.
    pub fn size(self) -> Size<M> {
        Size {
            target: Target::Attribute(self.attribute()),
            model: PhantomData,
        }
    }
}

/// `size(attribute)`, to compare with a number.
pub struct Size<M> {
    target: Target,
    model: PhantomData<fn() -> M>,
}

impl<M> Size<M> {
    fn compare(self, op: &'static str, n: usize) -> Condition<M> {
        Condition::from_node(Node::Compare(Operand::Size(self.target), op, encode(&n)))
    }

    /// The size is `n`.
    pub fn eq(self, n: usize) -> Condition<M> {
        self.compare("=", n)
    }
    /// The size is not `n`.
    pub fn ne(self, n: usize) -> Condition<M> {
        self.compare("<>", n)
    }
    /// The size is less than `n`.
    pub fn lt(self, n: usize) -> Condition<M> {
        self.compare("<", n)
    }
    /// The size is at most `n`.
    pub fn le(self, n: usize) -> Condition<M> {
        self.compare("<=", n)
    }
    /// The size is more than `n`.
    pub fn gt(self, n: usize) -> Condition<M> {
        self.compare(">", n)
    }
    /// The size is at least `n`.
    pub fn ge(self, n: usize) -> Condition<M> {
        self.compare(">=", n)
    }
}

/// An attribute named at run time ([`Condition::path`]). Values are any
/// serde value, checked against the field's stored type before the request.
pub struct Path<M> {
    name: String,
    model: PhantomData<fn() -> M>,
}

impl<M> Path<M> {
    fn compare<V: Serialize>(self, op: &'static str, value: V) -> Condition<M> {
        let value = Operand::NamedValue(self.name.clone(), value.encode());
        Condition::from_node(Node::Compare(
            Operand::Path(Target::Named(self.name)),
            op,
            value,
        ))
    }

    /// The stored value equals `value`.
    pub fn eq<V: Serialize>(self, value: V) -> Condition<M> {
        self.compare("=", value)
    }
    /// The stored value differs from `value`.
    pub fn ne<V: Serialize>(self, value: V) -> Condition<M> {
        self.compare("<>", value)
    }
    /// The stored value is less than `value`.
    pub fn lt<V: Serialize>(self, value: V) -> Condition<M> {
        self.compare("<", value)
    }
    /// The stored value is at most `value`.
    pub fn le<V: Serialize>(self, value: V) -> Condition<M> {
        self.compare("<=", value)
    }
    /// The stored value is more than `value`.
    pub fn gt<V: Serialize>(self, value: V) -> Condition<M> {
        self.compare(">", value)
    }
    /// The stored value is at least `value`.
    pub fn ge<V: Serialize>(self, value: V) -> Condition<M> {
        self.compare(">=", value)
    }
    /// The item has this attribute.
    pub fn exists(self) -> Condition<M> {
        Condition::from_node(Node::Exists(Target::Named(self.name)))
    }
    /// The item lacks this attribute.
    pub fn not_exists(self) -> Condition<M> {
        Condition::from_node(Node::NotExists(Target::Named(self.name)))
    }
    /// The stored string starts with `prefix`.
    pub fn begins_with(self, prefix: &str) -> Condition<M> {
        let prefix = Operand::NamedValue(self.name.clone(), prefix.encode());
        Condition::from_node(Node::BeginsWith(Target::Named(self.name), prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::fields::{FieldRole, ValueKind};

    struct Order;
    const STATUS: Field<Order, String> = Field::new("status", "status");
    const TOTAL: Field<Order, f64> = Field::new("total", "total");
    const FIELDS: &[FieldInfo] = &[
        FieldInfo::new("status", "status", FieldRole::Attribute, false, || {
            ValueKind::S
        }),
        FieldInfo::new(
            "created_at",
            "createdAt",
            FieldRole::Attribute,
            false,
            || ValueKind::N,
        ),
    ];

    fn render(c: &Condition<Order>) -> (String, Placeholders) {
        let mut p = Placeholders::default();
        let text = c.render(&mut p, Some(FIELDS)).unwrap();
        (text, p)
    }

    #[test]
    fn names_and_values_are_placeholders() {
        let c = TOTAL.gt(100.0).and(STATUS.ne("cancelled").not());
        let (text, p) = render(&c);
        assert_eq!(text, "(#n0 > :v0) AND (NOT (#n1 <> :v1))");
        let (names, values) = p.into_parts();
        assert_eq!(names.unwrap()["#n1"], "status");
        assert_eq!(
            values.unwrap()[":v1"],
            AttributeValue::S("cancelled".into())
        );
    }

    #[test]
    fn functions_render_as_dynamodb_writes_them() {
        let c = STATUS
            .begins_with("ship")
            .or(STATUS.size().ge(3))
            .or(STATUS.not_exists())
            .or(TOTAL.between(1.0, 2.0));
        let (text, _) = render(&c);
        assert_eq!(
            text,
            "(((begins_with(#n0, :v0)) OR (size(#n0) >= :v1)) OR (attribute_not_exists(#n0))) OR (#n1 BETWEEN :v2 AND :v3)"
        );
    }

    #[test]
    fn paths_by_name_resolve_to_attribute_names_and_check_values() {
        let (text, p) = render(&Condition::path("created_at").gt(5));
        assert_eq!(text, "#n0 > :v0");
        assert_eq!(p.into_parts().0.unwrap()["#n0"], "createdAt");

        let mut p = Placeholders::default();
        let err = Condition::<Order>::path("created_at")
            .eq("yesterday")
            .render(&mut p, Some(FIELDS))
            .unwrap_err();
        assert!(err.contains("`created_at`") && err.contains("N"), "{err}");
        let err = Condition::<Order>::path("nope")
            .exists()
            .render(&mut p, Some(FIELDS))
            .unwrap_err();
        assert!(err.contains("no field `nope`"), "{err}");
    }
}
