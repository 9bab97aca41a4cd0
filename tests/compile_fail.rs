//! Compile-fail tests of `#[derive(DynamoModel)]`: every rule the macro
//! enforces has one file in `tests/ui/`, named after the rule, whose `.stderr`
//! pins both the message and the span.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
