//! Item shapes of an entity of a shared table: its old items read as the
//! newest through a get and a collection's query, and the backfill
//! rewrites only the entity's items (the table holds others), with their
//! keys rendered as before.

use dynamo_model::{Db, DynamoCollection, DynamoModel, DynamoTable, ItemShape};
use serde::{Deserialize, Serialize};

#[derive(DynamoTable)]
#[dynamo(name = "app", hash_key = "pk", range_key = "sk")]
struct App;

#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 1)]
struct NoteV1 {
    owner: String,
    id: u32,
    text: String,
}

#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "note", pk = "USER#{owner}", sk = "NOTE#{id}", shape = 2, upgrades_from = NoteV1)]
struct Note {
    owner: String,
    id: u32,
    lines: Vec<String>,
}

impl From<NoteV1> for Note {
    fn from(old: NoteV1) -> Self {
        Note {
            owner: old.owner,
            id: old.id,
            lines: old.text.lines().map(str::to_owned).collect(),
        }
    }
}

/// What the code before shapes wrote.
#[derive(DynamoModel, Serialize, Deserialize)]
#[dynamo(table = App, entity = "note", pk = "USER#{owner}", sk = "NOTE#{id}")]
struct WrittenNoteV1 {
    owner: String,
    id: u32,
    text: String,
}

/// Another entity of the table, with no shapes.
#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "user", pk = "USER#{name}", sk = "PROFILE")]
struct User {
    name: String,
}

#[derive(DynamoCollection, Debug, PartialEq)]
enum Account {
    Profile(User),
    Note(Note),
}

#[dynamo_model::test(models(App))]
async fn an_entitys_old_items_read_as_the_newest_and_are_rewritten_alone(db: Db) {
    db.table::<User>()
        .put(&User { name: "ada".into() })
        .await
        .unwrap();
    for id in 0..3 {
        db.table::<WrittenNoteV1>()
            .put(&WrittenNoteV1 {
                owner: "ada".into(),
                id,
                text: format!("line {id}\nmore"),
            })
            .await
            .unwrap();
    }
    let notes = db.table::<Note>();
    let expected = |id: u32| Note {
        owner: "ada".into(),
        id,
        lines: vec![format!("line {id}"), "more".into()],
    };
    assert_eq!(notes.get(("ada", 1)).await.unwrap(), Some(expected(1)));
    let account: Vec<Account> = db.table::<Account>().query("ada").all().await.unwrap();
    assert_eq!(account.len(), 4);
    assert!(account.contains(&Account::Note(expected(2))), "{account:?}");

    let report = notes.upgrade_items().await.unwrap();
    assert_eq!((report.scanned, report.upgraded), (3, 3), "{report:?}");
    // Rewritten in place: the same keys, readable as before, and the other
    // entity untouched.
    assert_eq!(notes.get(("ada", 0)).await.unwrap(), Some(expected(0)));
    assert_eq!(
        db.table::<User>().get("ada").await.unwrap(),
        Some(User { name: "ada".into() })
    );
    let again = notes.upgrade_items().await.unwrap();
    assert_eq!((again.upgraded, again.shapes.get(&2)), (0, Some(&3)));
}
