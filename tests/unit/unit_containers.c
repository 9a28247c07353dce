/*
 * unit_containers.c - the intrusive list and fifo (duet/list.h,
 * duet/fifo.h) against an array reference model.
 *
 * Property tests: random operation sequences from fixed seeds, on two
 * containers sharing one pool of elements, so that an element moving
 * between them is exercised too. After every operation the container is
 * walked both ways and compared with the model (order, count, membership
 * of every element) and its invariants are checked (list_valid). Every
 * element carries guard words on both sides of its link, which no
 * operation may touch.
 *
 * Misuse: the containers assert (DUET_ASSERT) on misuse they can detect.
 * Its hal_panic (panic_catcher.c), when armed, jumps back to
 * the test, which checks that the panic came from the expected function
 * and that the container is unchanged (the assertion is a precondition).
 */
#include <setjmp.h>
#include <stdlib.h>

#include "duet/fifo.h"
#include "duet/list.h"
#include "hal/world.h"
#include "panic_catcher.h"
#include "unit_check.h"

enum { ELEMENTS = 24, CONTAINERS = 2, OPERATIONS = 4000 };
#define GUARD UINT64_C(0x6775617264776f72)

struct element {
    uint64_t guard_before;
    struct list_link link;
    struct fifo_link queue_link;
    uint64_t guard_after;
    size_t id;
};

/* The model: each container as an array of element ids in order. */
struct model {
    size_t ids[ELEMENTS];
    size_t count;
};

static size_t model_find(const struct model *model, size_t id)
{
    for (size_t i = 0; i < model->count; i++)
        if (model->ids[i] == id)
            return i;
    return SIZE_MAX;
}

static void model_insert_at(struct model *model, size_t index, size_t id)
{
    memmove(&model->ids[index + 1], &model->ids[index], (model->count - index) * sizeof(size_t));
    model->ids[index] = id;
    model->count++;
}

static void model_remove_at(struct model *model, size_t index)
{
    memmove(&model->ids[index], &model->ids[index + 1],
            (model->count - index - 1) * sizeof(size_t));
    model->count--;
}

/* Which container (0..CONTAINERS-1) holds the element, or -1. */
static int model_owner(const struct model models[CONTAINERS], size_t id)
{
    for (int c = 0; c < CONTAINERS; c++)
        if (model_find(&models[c], id) != SIZE_MAX)
            return c;
    return -1;
}

static void elements_init(struct element elements[ELEMENTS])
{
    memset(elements, 0xa5, ELEMENTS * sizeof elements[0]);   /* not zeroed: init must work */
    for (size_t i = 0; i < ELEMENTS; i++) {
        elements[i].guard_before = GUARD;
        elements[i].guard_after = GUARD;
        elements[i].id = i;
        list_link_init(&elements[i].link);
        fifo_link_init(&elements[i].queue_link);
    }
}

static void check_guards(const struct element elements[ELEMENTS], const char *what)
{
    for (size_t i = 0; i < ELEMENTS; i++)
        UNIT_CHECK(elements[i].guard_before == GUARD && elements[i].guard_after == GUARD &&
                       elements[i].id == i,
                   "%s: element %zu's guards or id were overwritten", what, i);
}

/* ---- list ---------------------------------------------------------- */

static void check_list(const struct list *list, const struct model *model,
                       struct element elements[ELEMENTS], const char *what)
{
    UNIT_CHECK(list_valid(list), "%s: list_valid", what);
    UNIT_CHECK_U64(list_count(list), model->count, what);
    UNIT_CHECK(list_empty(list) == (model->count == 0), "%s: list_empty", what);
    size_t index = 0;
    for (struct list_link *link = list_first(list); link != NULL && index <= ELEMENTS;
         link = list_next(link), index++) {
        struct element *element = LIST_ELEMENT(link, struct element, link);
        UNIT_CHECK(index < model->count && element->id == model->ids[index],
                   "%s: forward walk at %zu: element %zu, model %zu", what, index, element->id,
                   index < model->count ? model->ids[index] : SIZE_MAX);
    }
    UNIT_CHECK_U64(index, model->count, "forward walk length");
    index = model->count;
    for (struct list_link *link = list_last(list); link != NULL && index > 0;
         link = list_prev(link)) {
        index--;
        UNIT_CHECK(LIST_ELEMENT(link, struct element, link)->id == model->ids[index],
                   "%s: backward walk at %zu", what, index);
    }
    UNIT_CHECK_U64(index, 0, "backward walk reaches the first element");
    for (size_t id = 0; id < ELEMENTS; id++)
        UNIT_CHECK(list_contains(list, &elements[id].link) ==
                       (model_find(model, id) != SIZE_MAX),
                   "%s: list_contains(element %zu)", what, id);
}

static void list_random_step(struct list lists[CONTAINERS], struct model models[CONTAINERS],
                             struct element elements[ELEMENTS], uint64_t *prng)
{
    size_t id = unit_prng_below(prng, ELEMENTS);
    int owner = model_owner(models, id);
    int target = (int)unit_prng_below(prng, CONTAINERS);
    struct list *list = &lists[target];
    struct model *model = &models[target];
    UNIT_CHECK(list_link_is_linked(&elements[id].link) == (owner >= 0), "list_link_is_linked");
    if (owner >= 0) {
        list_remove(&lists[owner], &elements[id].link);
        model_remove_at(&models[owner], model_find(&models[owner], id));
    } else if (model->count == 0 || unit_prng_below(prng, 2) == 0) {
        list_insert_head(list, &elements[id].link);
        model_insert_at(model, 0, id);
    } else {
        size_t at_index = unit_prng_below(prng, model->count);
        list_insert_after(list, &elements[model->ids[at_index]].link, &elements[id].link);
        model_insert_at(model, at_index + 1, id);
    }
}

static void test_list_random(uint64_t seed)
{
    struct element elements[ELEMENTS];
    struct list lists[CONTAINERS];
    struct model models[CONTAINERS] = {0};
    elements_init(elements);
    for (int c = 0; c < CONTAINERS; c++)
        list_init(&lists[c]);
    uint64_t prng = seed;
    for (size_t step = 0; step < OPERATIONS; step++) {
        list_random_step(lists, models, elements, &prng);
        if (step % 8 == 0 || step + 1 == OPERATIONS) {
            for (int c = 0; c < CONTAINERS; c++)
                check_list(&lists[c], &models[c], elements, "list random step");
            check_guards(elements, "list random step");
        }
    }
}

static void test_list_basics(void)
{
    struct element elements[ELEMENTS];
    elements_init(elements);
    struct list list = {0};   /* a zeroed list is empty */
    UNIT_CHECK(list_valid(&list) && list_empty(&list) && list_first(&list) == NULL &&
                   list_last(&list) == NULL,
               "a zeroed list is empty and valid");
    UNIT_CHECK(LIST_ELEMENT(list_first(&list), struct element, link) == NULL,
               "LIST_ELEMENT of NULL is NULL");

    list_insert_head(&list, &elements[1].link);
    list_insert_head(&list, &elements[0].link);   /* Genode's List: insert goes to the head */
    list_insert_after(&list, &elements[1].link, &elements[2].link);   /* after the last */
    struct model model = {.ids = {0, 1, 2}, .count = 3};
    check_list(&list, &model, elements, "0 1 2");
    list_remove(&list, &elements[1].link);   /* from the middle */
    model_remove_at(&model, 1);
    check_list(&list, &model, elements, "0 2");
    UNIT_CHECK(!list_link_is_linked(&elements[1].link), "a removed link is in no list");
    list_remove(&list, &elements[2].link);   /* the last */
    list_remove(&list, &elements[0].link);   /* the only one */
    model.count = 0;
    check_list(&list, &model, elements, "emptied");
    check_guards(elements, "list basics");
}

static void test_list_misuse(void)
{
    struct element elements[ELEMENTS];
    elements_init(elements);
    struct list list = {0}, other = {0};
    list_insert_head(&list, &elements[0].link);
    list_insert_head(&list, &elements[1].link);
    list_insert_head(&other, &elements[2].link);
    struct model model = {.ids = {1, 0}, .count = 2};
    struct model other_model = {.ids = {2}, .count = 1};

    EXPECT_PANIC(list_insert_head(&list, &elements[0].link), "list_insert_head",
                 "insert_head of a link already in this list");
    EXPECT_PANIC(list_insert_head(&list, &elements[2].link), "list_insert_head",
                 "insert_head of a link in another list");
    EXPECT_PANIC(list_insert_after(&list, &elements[0].link, &elements[1].link),
                 "list_insert_after", "insert_after of a link already in this list");
    EXPECT_PANIC(list_insert_after(&list, &elements[2].link, &elements[3].link),
                 "list_insert_after", "insert_after a link in another list");
    EXPECT_PANIC(list_insert_after(&list, &elements[4].link, &elements[3].link),
                 "list_insert_after", "insert_after a link in no list");
    EXPECT_PANIC(list_remove(&list, &elements[3].link), "list_remove",
                 "remove of a link in no list");
    EXPECT_PANIC(list_remove(&list, &elements[2].link), "list_remove",
                 "remove of a link in another list");
    EXPECT_PANIC(list_next(&elements[3].link), "list_next", "next of a link in no list");

    list_remove(&list, &elements[0].link);
    model_remove_at(&model, 1);
    EXPECT_PANIC(list_remove(&list, &elements[0].link), "list_remove", "removing twice");
    check_list(&list, &model, elements, "list after refused misuse");
    check_list(&other, &other_model, elements, "other list after refused misuse");
    check_guards(elements, "list misuse");
}

/* ---- fifo ---------------------------------------------------------- */

static void check_fifo(const struct fifo *fifo, const struct model *model,
                       struct element elements[ELEMENTS], const char *what)
{
    UNIT_CHECK(fifo_valid(fifo), "%s: fifo_valid", what);
    UNIT_CHECK_U64(fifo_count(fifo), model->count, what);
    UNIT_CHECK(fifo_empty(fifo) == (model->count == 0), "%s: fifo_empty", what);
    struct element *head = FIFO_ELEMENT(fifo_head(fifo), struct element, queue_link);
    UNIT_CHECK(model->count == 0 ? head == NULL : head != NULL && head->id == model->ids[0],
               "%s: fifo_head", what);
    size_t index = 0;
    for (struct fifo_link *link = fifo_head(fifo); link != NULL && index <= ELEMENTS;
         link = fifo_next(link), index++)
        UNIT_CHECK(index < model->count &&
                       FIFO_ELEMENT(link, struct element, queue_link)->id == model->ids[index],
                   "%s: walk at %zu", what, index);
    UNIT_CHECK_U64(index, model->count, "fifo walk length");
    for (size_t id = 0; id < ELEMENTS; id++)
        UNIT_CHECK(fifo_contains(fifo, &elements[id].queue_link) ==
                       (model_find(model, id) != SIZE_MAX),
                   "%s: fifo_contains(element %zu)", what, id);
}

/* A for_each visitor that records ids and removes the odd ones. */
struct visit_log {
    struct fifo *fifo;
    size_t ids[ELEMENTS];
    size_t count;
    bool remove_odd;
};

static void visit_record(struct fifo_link *link, void *context)
{
    struct visit_log *log = context;
    size_t id = FIFO_ELEMENT(link, struct element, queue_link)->id;
    if (log->count < ELEMENTS)
        log->ids[log->count++] = id;
    if (log->remove_odd && id % 2 == 1)
        fifo_remove(log->fifo, link);
}

static void check_for_each(struct fifo *fifo, struct model *model,
                           struct element elements[ELEMENTS], bool remove_odd)
{
    struct visit_log log = {.fifo = fifo, .remove_odd = remove_odd};
    fifo_for_each(fifo, visit_record, &log);
    UNIT_CHECK_U64(log.count, model->count, "for_each visits every element");
    UNIT_CHECK(memcmp(log.ids, model->ids, model->count * sizeof(size_t)) == 0,
               "for_each visits in queue order");
    if (remove_odd) {
        for (size_t i = model->count; i > 0; i--)
            if (model->ids[i - 1] % 2 == 1)
                model_remove_at(model, i - 1);
        check_fifo(fifo, model, elements, "after for_each removed the odd ids");
    }
}

static void fifo_random_step(struct fifo fifos[CONTAINERS], struct model models[CONTAINERS],
                             struct element elements[ELEMENTS], uint64_t *prng)
{
    int target = (int)unit_prng_below(prng, CONTAINERS);
    size_t id = unit_prng_below(prng, ELEMENTS);
    int owner = model_owner(models, id);
    UNIT_CHECK(fifo_link_is_enqueued(&elements[id].queue_link) == (owner >= 0),
               "fifo_link_is_enqueued");
    switch (unit_prng_below(prng, 3)) {
    case 0: {   /* dequeue: the model's first, or NULL */
        struct fifo_link *link = fifo_dequeue(&fifos[target]);
        struct element *element = FIFO_ELEMENT(link, struct element, queue_link);
        if (models[target].count == 0) {
            UNIT_CHECK(link == NULL, "dequeue of an empty fifo is NULL");
        } else {
            UNIT_CHECK(element != NULL && element->id == models[target].ids[0],
                       "dequeue gives the oldest");
            UNIT_CHECK(!fifo_link_is_enqueued(link), "a dequeued link is queued nowhere");
            model_remove_at(&models[target], 0);
        }
        break;
    }
    case 1:   /* remove from wherever it is */
        if (owner >= 0) {
            fifo_remove(&fifos[owner], &elements[id].queue_link);
            model_remove_at(&models[owner], model_find(&models[owner], id));
        }
        break;
    default:
        if (owner < 0) {
            fifo_enqueue(&fifos[target], &elements[id].queue_link);
            models[target].ids[models[target].count++] = id;
        }
        break;
    }
}

static void test_fifo_random(uint64_t seed)
{
    struct element elements[ELEMENTS];
    struct fifo fifos[CONTAINERS];
    struct model models[CONTAINERS] = {0};
    elements_init(elements);
    for (int c = 0; c < CONTAINERS; c++)
        fifo_init(&fifos[c]);
    uint64_t prng = seed;
    for (size_t step = 0; step < OPERATIONS; step++) {
        fifo_random_step(fifos, models, elements, &prng);
        if (step % 8 == 0 || step + 1 == OPERATIONS) {
            for (int c = 0; c < CONTAINERS; c++)
                check_fifo(&fifos[c], &models[c], elements, "fifo random step");
            check_guards(elements, "fifo random step");
        }
        if (step % 97 == 0)
            check_for_each(&fifos[0], &models[0], elements, step % 2 == 1);
    }
}

/* A visitor that moves each element to the tail of its own queue. */
static void visit_requeue(struct fifo_link *link, void *context)
{
    struct fifo *fifo = context;
    fifo_remove(fifo, link);
    fifo_enqueue(fifo, link);
}

/* A visitor that enqueues the element named by the context's next id:
 * elements enqueued during a walk are not visited by it. */
struct enqueue_during_walk {
    struct fifo *fifo;
    struct element *elements;
    size_t next_id;
    size_t visits;
};

static void visit_enqueue_another(struct fifo_link *link, void *context)
{
    struct enqueue_during_walk *walk = context;
    walk->visits++;
    fifo_enqueue(walk->fifo, &walk->elements[walk->next_id++].queue_link);
}

static void test_fifo_basics(void)
{
    struct element elements[ELEMENTS];
    elements_init(elements);
    struct fifo fifo = {0};   /* a zeroed fifo is empty */
    struct model model = {0};
    check_fifo(&fifo, &model, elements, "a zeroed fifo");
    UNIT_CHECK(fifo_dequeue(&fifo) == NULL, "dequeue of an empty fifo is NULL");
    UNIT_CHECK(fifo_head(&fifo) == NULL, "head of an empty fifo is NULL");
    fifo_for_each(&fifo, visit_requeue, &fifo);   /* visits nothing */

    for (size_t id = 0; id < 5; id++) {
        fifo_enqueue(&fifo, &elements[id].queue_link);
        model.ids[model.count++] = id;
    }
    check_fifo(&fifo, &model, elements, "0..4 enqueued");
    fifo_remove(&fifo, &elements[4].queue_link);   /* the tail */
    fifo_remove(&fifo, &elements[2].queue_link);   /* the middle */
    fifo_remove(&fifo, &elements[0].queue_link);   /* the head */
    model = (struct model){.ids = {1, 3}, .count = 2};
    check_fifo(&fifo, &model, elements, "1 3 left");
    fifo_enqueue(&fifo, &elements[0].queue_link);   /* re-enqueue after removal */
    model.ids[model.count++] = 0;
    check_fifo(&fifo, &model, elements, "1 3 0");

    /* Requeueing each element during the walk visits each exactly once
     * and ends in the same order. */
    struct visit_log log = {0};
    fifo_for_each(&fifo, visit_requeue, &fifo);
    check_fifo(&fifo, &model, elements, "after a requeueing walk");
    fifo_for_each(&fifo, visit_record, &log);
    UNIT_CHECK_U64(log.count, 3, "a recording walk visits three");

    struct enqueue_during_walk walk = {.fifo = &fifo, .elements = elements, .next_id = 10};
    fifo_for_each(&fifo, visit_enqueue_another, &walk);
    UNIT_CHECK_U64(walk.visits, 3, "elements enqueued during a walk are not visited");
    for (size_t id = 10; id < 13; id++)
        model.ids[model.count++] = id;
    check_fifo(&fifo, &model, elements, "1 3 0 10 11 12");

    while (fifo_dequeue(&fifo) != NULL)
        ;
    model.count = 0;
    check_fifo(&fifo, &model, elements, "drained");
    check_guards(elements, "fifo basics");
}

static void test_fifo_misuse(void)
{
    struct element elements[ELEMENTS];
    elements_init(elements);
    struct fifo fifo = {0}, other = {0};
    fifo_enqueue(&fifo, &elements[0].queue_link);
    fifo_enqueue(&fifo, &elements[1].queue_link);
    fifo_enqueue(&other, &elements[2].queue_link);
    struct model model = {.ids = {0, 1}, .count = 2};
    struct model other_model = {.ids = {2}, .count = 1};

    EXPECT_PANIC(fifo_enqueue(&fifo, &elements[1].queue_link), "fifo_enqueue",
                 "enqueue of an element already in this fifo");
    EXPECT_PANIC(fifo_enqueue(&fifo, &elements[2].queue_link), "fifo_enqueue",
                 "enqueue of an element in another fifo");
    EXPECT_PANIC(fifo_remove(&fifo, &elements[2].queue_link), "fifo_remove",
                 "remove of an element in another fifo");
    EXPECT_PANIC(fifo_remove(&fifo, &elements[3].queue_link), "fifo_remove",
                 "remove of an element never enqueued");
    struct fifo_link *head = fifo_dequeue(&fifo);
    model_remove_at(&model, 0);
    EXPECT_PANIC(fifo_remove(&fifo, head), "fifo_remove", "remove of a dequeued element");
    EXPECT_PANIC(fifo_next(head), "list_next", "next of a dequeued element");
    check_fifo(&fifo, &model, elements, "fifo after refused misuse");
    check_fifo(&other, &other_model, elements, "other fifo after refused misuse");
    check_guards(elements, "fifo misuse");
}

int main(void)
{
    static const uint64_t seeds[] = {1, 2, 0xdeadbeef, 20240611};
    test_list_basics();
    test_list_misuse();
    test_fifo_basics();
    test_fifo_misuse();
    for (size_t i = 0; i < DUET_ARRAY_COUNT(seeds); i++) {
        test_list_random(seeds[i]);
        test_fifo_random(seeds[i]);
    }
    return unit_finish("unit_containers");
}
