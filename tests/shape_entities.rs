//! Item shapes of an entity of a shared table: its old items read as the
//! newest through a get and a collection's query, and the backfill
//! rewrites only the entity's items (the table holds others), with their
//! keys rendered as before; a collection of two shaped entities reads each
//! item by its own entity's shape.

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

#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 1)]
struct TaskV1 {
    owner: String,
    id: u32,
    done: bool,
}

/// A second shaped entity, with its own shape attribute.
#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[dynamo(table = App, entity = "task", pk = "USER#{owner}", sk = "TASK#{id}", shape = 2, upgrades_from = TaskV1, shape_attribute = "_v")]
struct Task {
    owner: String,
    id: u32,
    state: String,
}

impl From<TaskV1> for Task {
    fn from(old: TaskV1) -> Self {
        Task {
            owner: old.owner,
            id: old.id,
            state: if old.done { "done" } else { "open" }.into(),
        }
    }
}

/// What the code before the task's shapes wrote.
#[derive(DynamoModel, Serialize, Deserialize)]
#[dynamo(table = App, entity = "task", pk = "USER#{owner}", sk = "TASK#{id}")]
struct WrittenTaskV1 {
    owner: String,
    id: u32,
    done: bool,
}

#[derive(DynamoCollection, Debug, PartialEq)]
enum Account {
    Profile(User),
    Note(Note),
    Task(Task),
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

/// A collection of several shaped entities decodes each item by its own
/// entity's shape (each with its own shape attribute), old and new alike.
#[dynamo_model::test(models(App))]
async fn a_collection_upgrades_each_entitys_items_by_its_own_shape(db: Db) {
    db.table::<WrittenNoteV1>()
        .put(&WrittenNoteV1 {
            owner: "ada".into(),
            id: 1,
            text: "a\nb".into(),
        })
        .await
        .unwrap();
    db.table::<WrittenTaskV1>()
        .put(&WrittenTaskV1 {
            owner: "ada".into(),
            id: 1,
            done: true,
        })
        .await
        .unwrap();
    let task = |id: u32, state: &str| Task {
        owner: "ada".into(),
        id,
        state: state.into(),
    };
    db.table::<Task>().put(&task(2, "open")).await.unwrap();
    let note = Note {
        owner: "ada".into(),
        id: 2,
        lines: vec!["c".into()],
    };
    db.table::<Note>().put(&note).await.unwrap();

    let account: Vec<Account> = db.table::<Account>().query("ada").all().await.unwrap();
    assert_eq!(
        account,
        [
            Account::Note(Note {
                owner: "ada".into(),
                id: 1,
                lines: vec!["a".into(), "b".into()],
            }),
            Account::Note(note),
            Account::Task(task(1, "done")),
            Account::Task(task(2, "open")),
        ]
    );
    // Each entity's backfill rewrites its own old items only.
    let tasks = db.table::<Task>().upgrade_items().await.unwrap();
    assert_eq!((tasks.scanned, tasks.upgraded), (2, 1), "{tasks:?}");
    let notes = db.table::<Note>().upgrade_items().await.unwrap();
    assert_eq!((notes.scanned, notes.upgraded), (2, 1), "{notes:?}");
}
