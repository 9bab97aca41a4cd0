//! Syntactic helpers on field types.

use proc_macro2::{Group, Ident, Spacing, TokenStream, TokenTree};
use quote::{ToTokens, TokenStreamExt};
use syn::Type;

/// Whether the type is written as an `Option` (`Option<T>`,
/// `std::option::Option<T>`). Only used to refuse `Option` table keys with a
/// clear message; through an alias it is not seen, and then the `KeyType`
/// bound refuses it instead (`Option<T>` implements only `IndexKeyType`).
pub fn is_option(ty: &Type) -> bool {
    match ty {
        Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "Option"),
        Type::Group(group) => is_option(&group.elem),
        Type::Paren(paren) => is_option(&paren.elem),
        _ => false,
    }
}

/// The type an `Option` is of (`T` for `Option<T>`), or the type itself.
/// What a query names an index partition by; through an alias it is not
/// seen, and then the query does not compile (an `Option` is no key value).
pub fn option_inner(ty: &Type) -> &Type {
    let inner = match ty {
        Type::Path(path) if is_option(ty) => path.path.segments.last().and_then(|segment| {
            let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
                return None;
            };
            match args.args.first() {
                Some(syn::GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
                _ => None,
            }
        }),
        Type::Group(group) => Some(option_inner(&group.elem)),
        Type::Paren(paren) => Some(option_inner(&paren.elem)),
        _ => None,
    };
    inner.unwrap_or(ty)
}

/// The field's type as it can be named inside the generated `static`: a
/// `static` cannot use the impl's lifetime parameters, so every lifetime
/// becomes `'static` (`&'a str` -> `&'static str`), and `Self` becomes the
/// struct's own name with `'static` lifetimes. Spans are kept, so errors
/// about the type still point at the field.
pub fn for_static(ty: &Type, self_ty: &TokenStream) -> TokenStream {
    replace_lifetimes(ty.to_token_stream(), self_ty)
}

fn replace_lifetimes(tokens: TokenStream, self_ty: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        match token {
            // A lifetime is a joint `'` followed by an identifier.
            TokenTree::Punct(quote)
                if quote.as_char() == '\'' && quote.spacing() == Spacing::Joint =>
            {
                out.append(quote);
                if let Some(TokenTree::Ident(name)) = tokens.peek() {
                    let span = name.span();
                    tokens.next();
                    out.append(Ident::new("static", span));
                }
            }
            TokenTree::Group(group) => {
                let mut replaced = Group::new(
                    group.delimiter(),
                    replace_lifetimes(group.stream(), self_ty),
                );
                replaced.set_span(group.span());
                out.append(replaced);
            }
            TokenTree::Ident(ident) if ident == "Self" => out.extend(self_ty.clone()),
            other => out.append(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn static_ty(ty: &str) -> String {
        let ty: Type = syn::parse_str(ty).unwrap();
        for_static(&ty, &quote!(Order<'static>)).to_string()
    }

    #[test]
    fn lifetimes_become_static() {
        assert_eq!(static_ty("&'a str"), quote!(&'static str).to_string());
        assert_eq!(
            static_ty("Cow<'a, str>"),
            quote!(Cow<'static, str>).to_string()
        );
        assert_eq!(
            static_ty("Option<(&'a [u8], Box<&'b str>)>"),
            quote!(Option<(&'static [u8], Box<&'static str>)>).to_string()
        );
        assert_eq!(static_ty("String"), "String");
        // `Self` is replaced token by token, so the two `>` stay apart.
        assert_eq!(static_ty("Box<Self>"), "Box < Order < 'static > >");
    }

    #[test]
    fn option_is_recognised_by_its_last_segment() {
        let option = |ty: &str| is_option(&syn::parse_str(ty).unwrap());
        assert!(option("Option<String>"));
        assert!(option("std::option::Option<u64>"));
        assert!(option("(Option<u64>)"));
        assert!(!option("String"));
        assert!(!option("Vec<Option<u64>>"));
        assert!(!option("<T as Trait>::Option"));
    }
}
