/*
 * unit_scenario_pci.c - the "pci" and "pci_bridge" lines of scenario files
 * (sim/scenario_pci.c, grammar in sim/include/duet/scenario.h).
 *
 * The shipped scenarios/pci.scn parses to exactly the functions it lists,
 * and builds into a host bridge model in which every function is reached
 * at its bus number (routing through the bridges' bus registers, which
 * the build programs as firmware would: primary, secondary, subordinate).
 * Every malformed line is refused with its named error on its own line:
 * bad BDFs, ids, options and BARs, duplicates, the board's slots, unknown
 * buses, bad bridge bus numbers, the multifunction rule, and the limits
 * of the model (functions, bridges). A refused line leaves the list as it
 * was. A programmatic list the parser would refuse does not build.
 *
 * Build: links duet_sim (scenario.o and scenario_pci.o, which pulls in the
 * hw_models' pci_host.o). Kept apart from unit_scenario.c, which is about
 * the file grammar as a whole and long enough.
 */
#include <stdlib.h>

#include "duet/scenario.h"
#include "scenario_pci.h"
#include "unit_check.h"

enum { TEXT_MAX = 8192 };

struct parsed {
    enum scenario_error error;
    size_t line;
    struct scenario scenario;
};

/* "name x", the lines given, a config ROM; parsed into a heap result. */
static struct parsed *parse_lines(const char *lines)
{
    char *text = malloc(TEXT_MAX);
    struct parsed *p = malloc(sizeof *p);
    if (text == NULL || p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    int length = snprintf(text, TEXT_MAX, "name x\n%srom config\nend\n", lines);
    p->error = scenario_parse(text, (size_t)length, &p->scenario, &p->line);
    free(text);
    return p;
}

static void expect_error(const char *lines, enum scenario_error expected, size_t line)
{
    struct parsed *p = parse_lines(lines);
    char shown[512];
    unit_escape(lines, strlen(lines), shown, sizeof shown);
    UNIT_CHECK(p->error == expected && p->line == line,
               "\"%s\": got %s at line %zu, expected %s at line %zu", shown,
               scenario_error_name(p->error), p->line, scenario_error_name(expected), line);
    free(p);
}

static char *read_text(const char *path, size_t *out_length)
{
    FILE *file = fopen(path, "rb");
    char *text = malloc(TEXT_MAX);
    if (file == NULL || text == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    *out_length = fread(text, 1, TEXT_MAX, file);
    fclose(file);
    return text;
}

/* The model's function at bus number / device / function, through routing. */
static int routed(const struct pci_host *pci, unsigned bus, unsigned device, unsigned function)
{
    return pci_host_route(pci, (uint8_t)bus, (uint8_t)(device << 3 | function));
}

static void expect_bus_numbers(const struct pci_host *pci, unsigned bus, unsigned device,
                               unsigned primary, unsigned secondary, unsigned subordinate)
{
    int id = routed(pci, bus, device, 0);
    UNIT_CHECK(id >= 0, "bridge %02x:%02x.0 reachable", bus, device);
    if (id < 0)
        return;
    UNIT_CHECK_U64(pci_host_config_read(pci, (unsigned)id, PCI_HOST_PRIMARY_BUS, 1), primary,
                   "primary bus");
    UNIT_CHECK_U64(pci_host_config_read(pci, (unsigned)id, PCI_HOST_SECONDARY_BUS, 1), secondary,
                   "secondary bus");
    UNIT_CHECK_U64(pci_host_config_read(pci, (unsigned)id, PCI_HOST_SUBORDINATE_BUS, 1),
                   subordinate, "subordinate bus");
    UNIT_CHECK_U64(pci_host_config_read(pci, (unsigned)id, 0x43, 1), secondary,
                   "chassis number = secondary bus");
}

static void test_shipped_scenario(void)
{
    size_t length = 0;
    char *text = read_text(DUET_UNIT_PCI_SCENARIO, &length);
    struct scenario *s = malloc(sizeof *s);
    size_t line = 99;
    UNIT_CHECK(s != NULL && scenario_parse(text, length, s, &line) == SCENARIO_OK && line == 0,
               "scenarios/pci.scn parses");
    free(text);
    UNIT_CHECK_U64(s->pci_count, 9, "pci.scn: functions");
    const struct scenario_pci_function *f = &s->pci[0];
    UNIT_CHECK(f->bus == 0 && f->device == 3 && f->function == 0 && f->secondary_bus == 0,
               "first: 00:03.0");
    UNIT_CHECK(f->desc.vendor_id == 0x8086 && f->desc.device_id == 0x2922 &&
                   f->desc.class_code == 0x010601 && f->desc.revision == 2 &&
                   f->desc.multifunction && f->desc.header_type == PCI_HOST_HEADER_ENDPOINT,
               "first: ids, class, rev, multifunction");
    UNIT_CHECK(f->desc.bars[4].kind == PCI_HOST_BAR_KIND_IO && f->desc.bars[4].size == 32 &&
                   f->desc.bars[5].kind == PCI_HOST_BAR_KIND_MEM32 &&
                   f->desc.bars[5].size == 0x1000 && f->desc.bars[0].kind == PCI_HOST_BAR_NONE,
               "first: BARs 4 and 5");
    f = &s->pci[4];
    UNIT_CHECK(f->bus == 1 && f->desc.bars[4].kind == PCI_HOST_BAR_KIND_MEM64 &&
                   f->desc.bars[4].prefetchable && f->desc.bars[4].size == 0x4000,
               "01:00.0: a prefetchable 64-bit BAR");
    f = &s->pci[3];
    UNIT_CHECK(f->desc.header_type == PCI_HOST_HEADER_BRIDGE && f->secondary_bus == 1 &&
                   f->desc.vendor_id == 0x1B36 && f->desc.device_id == 0x0001,
               "00:05.0: QEMU's pci-bridge to bus 1");

    struct pci_host *pci = malloc(sizeof *pci);
    size_t index = 99;
    UNIT_CHECK(pci != NULL && scenario_pci_build(s, pci, &index) == SCENARIO_OK,
               "pci.scn builds");
    UNIT_CHECK(pci_host_check(pci) == NULL, "the model's invariants hold");
    UNIT_CHECK_U64(pci->function_count, 4 + 9, "functions in the model");
    UNIT_CHECK_U64(pci->bus_count, 4, "buses in the model");
    expect_bus_numbers(pci, 0, 5, 0, 1, 2);
    expect_bus_numbers(pci, 1, 1, 1, 2, 2);
    expect_bus_numbers(pci, 0, 6, 0, 3, 3);
    int far = routed(pci, 2, 0x1f, 0);
    UNIT_CHECK(far >= 0 && pci_host_config_read(pci, (unsigned)far, 0, 4) == 0x11e81234,
               "02:1f.0 reached through two bridges");
    UNIT_CHECK(routed(pci, 3, 0, 0) < 0 && routed(pci, 4, 0, 0) < 0,
               "bus 3 is empty, bus 4 does not exist");
    UNIT_CHECK(routed(pci, 0, 1, 1) >= 0 && routed(pci, 0, 2, 0) < 0,
               "bus 0: the board's IDE, no VGA");
    free(pci);
    free(s);
}

static void test_line_errors(void)
{
    static const struct {
        const char *lines;
        enum scenario_error error;
        size_t line;
    } cases[] = {
        {"pci\n", SCENARIO_ERR_MISSING_VALUE, 2},
        {"pci 00:03.0\n", SCENARIO_ERR_MISSING_VALUE, 2},
        {"pci 00:03.0 8086:1234\n", SCENARIO_ERR_MISSING_VALUE, 2},
        {"pci_bridge 00:03.0\n", SCENARIO_ERR_MISSING_VALUE, 2},
        {"pci 0:03.0 8086:1234 class=0x020000\n", SCENARIO_ERR_PCI_BAD_ADDRESS, 2},
        {"pci 00:3.0 8086:1234 class=0x020000\n", SCENARIO_ERR_PCI_BAD_ADDRESS, 2},
        {"pci 00:20.0 8086:1234 class=0x020000\n", SCENARIO_ERR_PCI_BAD_ADDRESS, 2},
        {"pci 00:03.8 8086:1234 class=0x020000\n", SCENARIO_ERR_PCI_BAD_ADDRESS, 2},
        {"pci 00-03.0 8086:1234 class=0x020000\n", SCENARIO_ERR_PCI_BAD_ADDRESS, 2},
        {"pci 0g:03.0 8086:1234 class=0x020000\n", SCENARIO_ERR_PCI_BAD_ADDRESS, 2},
        {"pci 00:03.0 ffff:1234 class=0x020000\n", SCENARIO_ERR_PCI_BAD_ID, 2},
        {"pci 00:03.0 8086:123 class=0x020000\n", SCENARIO_ERR_PCI_BAD_ID, 2},
        {"pci 00:03.0 8086-1234 class=0x020000\n", SCENARIO_ERR_PCI_BAD_ID, 2},
        {"pci 00:03.0 8086:1234 class=0x02000\n", SCENARIO_ERR_PCI_BAD_OPTION, 2},
        {"pci 00:03.0 8086:1234 class=020000\n", SCENARIO_ERR_PCI_BAD_OPTION, 2},
        {"pci 00:03.0 8086:1234 class=0x1020000\n", SCENARIO_ERR_PCI_BAD_OPTION, 2},
        {"pci 00:03.0 8086:1234 class=0x020000 class=0x020000\n", SCENARIO_ERR_PCI_BAD_OPTION, 2},
        {"pci 00:03.0 8086:1234 class=0x020000 rev=0x100\n", SCENARIO_ERR_PCI_BAD_OPTION, 2},
        {"pci 00:03.0 8086:1234 class=0x020000 rev=0x00 rev=0x01\n", SCENARIO_ERR_PCI_BAD_OPTION,
         2},
        {"pci 00:03.0 8086:1234 class=0x020000 bogus\n", SCENARIO_ERR_PCI_BAD_OPTION, 2},
        {"pci 00:03.0 8086:1234 class=0x020000 multifunction multifunction\n",
         SCENARIO_ERR_PCI_BAD_OPTION, 2},
        {"pci 00:03.0 8086:1234 class=0x020000 secondary=1\n", SCENARIO_ERR_PCI_BAD_OPTION, 2},
        {"pci_bridge 00:03.0 secondary=1 class=0x060400\n", SCENARIO_ERR_PCI_BAD_OPTION, 2},
        {"pci 00:03.0 8086:1234 class=0x020000 bar0=io:16 bar0=io:16\n",
         SCENARIO_ERR_PCI_BAD_OPTION, 2},
        {"pci 00:03.0 8086:1234 class=0x020000 bar6=io:16\n", SCENARIO_ERR_PCI_BAD_BAR, 2},
        {"pci 00:03.0 8086:1234 class=0x020000 bar0=rom:16\n", SCENARIO_ERR_PCI_BAD_BAR, 2},
        {"pci 00:03.0 8086:1234 class=0x020000 bar0=io:24\n", SCENARIO_ERR_PCI_BAD_BAR, 2},
        {"pci 00:03.0 8086:1234 class=0x020000 bar0=io:0x20000\n", SCENARIO_ERR_PCI_BAD_BAR, 2},
        {"pci 00:03.0 8086:1234 class=0x020000 bar0=mem:8\n", SCENARIO_ERR_PCI_BAD_BAR, 2},
        {"pci 00:03.0 8086:1234 class=0x020000 bar0=mem:0\n", SCENARIO_ERR_PCI_BAD_BAR, 2},
        {"pci 00:03.0 8086:1234 class=0x020000 bar0=mem:0x\n", SCENARIO_ERR_PCI_BAD_BAR, 2},
        {"pci 00:03.0 8086:1234 class=0x020000 bar0=mem:99999999999999999999\n",
         SCENARIO_ERR_PCI_BAD_BAR, 2},
        {"pci 00:03.0 8086:1234 class=0x020000 bar5=mem64:4096\n", SCENARIO_ERR_PCI_BAD_BAR, 2},
        {"pci 00:03.0 8086:1234 class=0x020000 bar0=mem64:4096 bar1=io:16\n",
         SCENARIO_ERR_PCI_BAD_BAR, 2},
        {"pci 00:00.0 8086:1234 class=0x020000\n", SCENARIO_ERR_PCI_SLOT_TAKEN, 2},
        {"pci 00:01.2 8086:1234 class=0x020000\n", SCENARIO_ERR_PCI_SLOT_TAKEN, 2},
        {"pci 01:00.0 8086:1234 class=0x020000\n", SCENARIO_ERR_PCI_NO_SUCH_BUS, 2},
        {"pci 00:03.0 8086:1234 class=0x020000\n# c\npci 00:03.0 8086:1234 class=0x020000\n",
         SCENARIO_ERR_PCI_DUPLICATE, 4},
        {"pci 00:03.1 8086:1234 class=0x020000\n", SCENARIO_ERR_PCI_MULTIFUNCTION, 2},
        {"pci 00:03.0 8086:1234 class=0x020000\npci 00:03.1 8086:1234 class=0x020000\n",
         SCENARIO_ERR_PCI_MULTIFUNCTION, 3},
        {"pci_bridge 00:03.0 secondary=0\n", SCENARIO_ERR_PCI_BAD_BUS_NUMBER, 2},
        {"pci_bridge 00:03.0 secondary=256\n", SCENARIO_ERR_PCI_BAD_BUS_NUMBER, 2},
        {"pci_bridge 00:03.0 secondary=x\n", SCENARIO_ERR_PCI_BAD_BUS_NUMBER, 2},
        {"pci_bridge 00:03.0 secondary=1 secondary=2\n", SCENARIO_ERR_PCI_BAD_OPTION, 2},
        {"pci_bridge 00:03.0 secondary=2\npci_bridge 00:04.0 secondary=2\n",
         SCENARIO_ERR_PCI_BAD_BUS_NUMBER, 3},
        {"pci_bridge 00:03.0 secondary=2\npci_bridge 02:00.0 secondary=1\n",
         SCENARIO_ERR_PCI_BAD_BUS_NUMBER, 3},
        {"pci_bridge 00:03.0 secondary=1\npci_bridge 00:04.0 secondary=2\n"
         "pci_bridge 01:00.0 secondary=3\n", SCENARIO_ERR_PCI_BAD_BUS_NUMBER, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(cases[i].lines, cases[i].error, cases[i].line);
}

static void test_valid_forms(void)
{
    struct parsed *p = parse_lines("pci 00:1F.0 ABCD:ef01 class=0xFFffFF rev=0xfe "
                                   "bar0=mem64:0x8000000000000000 bar2=pmem:2147483648 "
                                   "bar4=io:65536 bar5=io:4 multifunction\n"
                                   "pci_bridge 00:1e.0   secondary=0x10   multifunction\n"
                                   "pci  00:1f.7 1234:0001 class=0x000000\n");
    UNIT_CHECK(p->error == SCENARIO_OK, "limits of every field: %s at line %zu",
               scenario_error_name(p->error), p->line);
    const struct scenario_pci_function *f = &p->scenario.pci[0];
    UNIT_CHECK(p->scenario.pci_count == 3 && p->scenario.pci[2].function == 7,
               "function 7 after function 0");
    UNIT_CHECK(f->device == 0x1f && f->function == 0 && f->desc.vendor_id == 0xabcd &&
                   f->desc.device_id == 0xef01 && f->desc.class_code == 0xffffff &&
                   f->desc.revision == 0xfe,
               "upper- and lowercase hex");
    UNIT_CHECK(f->desc.bars[0].size == UINT64_C(1) << 63 && f->desc.bars[2].prefetchable &&
                   f->desc.bars[4].size == 65536 && f->desc.bars[5].size == 4,
               "largest and smallest BARs");
    UNIT_CHECK(p->scenario.pci[1].secondary_bus == 16 && p->scenario.pci[1].desc.multifunction,
               "bridge: hex bus number, multifunction, spaces between words");
    free(p);
}

/* The model's limits: 28 functions beyond the board's 4, 7 bridges. */
static void test_limits(void)
{
    char *lines = malloc(TEXT_MAX);
    size_t n = 0;
    for (unsigned device = 2; device < 30; device++)
        n += (size_t)snprintf(lines + n, TEXT_MAX - n, "pci 00:%02x.0 1234:0001 class=0xff0000\n",
                              device);
    struct parsed *p = parse_lines(lines);
    UNIT_CHECK(p->error == SCENARIO_OK && p->scenario.pci_count == SCENARIO_PCI_FUNCTIONS_MAX,
               "28 functions fit: %s", scenario_error_name(p->error));
    free(p);
    snprintf(lines + n, TEXT_MAX - n, "pci 00:1e.0 1234:0001 class=0xff0000\n");
    expect_error(lines, SCENARIO_ERR_PCI_TOO_MANY, 30);

    n = 0;
    for (unsigned bus = 1; bus <= 7; bus++)
        n += (size_t)snprintf(lines + n, TEXT_MAX - n, "pci_bridge 00:%02x.0 secondary=%u\n",
                              bus + 1, bus);
    p = parse_lines(lines);
    UNIT_CHECK(p->error == SCENARIO_OK, "7 bridges fit: %s", scenario_error_name(p->error));
    free(p);
    snprintf(lines + n, TEXT_MAX - n, "pci_bridge 00:10.0 secondary=8\n");
    expect_error(lines, SCENARIO_ERR_PCI_TOO_MANY, 9);
    free(lines);
}

/* An error leaves the list as it was; a programmatic list is checked too. */
static void test_list_unchanged_and_build(void)
{
    struct scenario *s = calloc(1, sizeof *s);
    static const char good[] = "00:03.0 8086:1234 class=0x020000 multifunction";
    static const char bad[] = "00:03.0 8086:1234 class=0x020000";
    UNIT_CHECK(s != NULL && scenario_pci_parse(s, good, strlen(good), false) == SCENARIO_OK,
               "a line appends");
    UNIT_CHECK(scenario_pci_parse(s, bad, strlen(bad), false) == SCENARIO_ERR_PCI_DUPLICATE &&
                   s->pci_count == 1,
               "a refused line appends nothing");
    struct scenario_pci_function empty = {0};
    UNIT_CHECK(memcmp(&s->pci[1], &empty, sizeof empty) == 0, "nor leaves anything behind");

    s->pci[1] = s->pci[0];
    s->pci[1].device = 4;
    s->pci[1].secondary_bus = 5;          /* bus numbers on an endpoint */
    s->pci_count = 2;
    struct pci_host *pci = malloc(sizeof *pci);
    size_t index = 99;
    UNIT_CHECK(pci != NULL && scenario_pci_build(s, pci, &index) == SCENARIO_ERR_PCI_BAD_OPTION &&
                   index == 1,
               "an endpoint with a secondary bus does not build");
    s->pci_count = SCENARIO_PCI_FUNCTIONS_MAX + 1;
    UNIT_CHECK(scenario_pci_build(s, pci, &index) == SCENARIO_ERR_PCI_TOO_MANY,
               "a count beyond the array does not build");
    free(pci);
    free(s);
}

/*
 * Random PCI lines from a pool of good and bad words: every verdict is a
 * named error on a line of the text (or OK), and every accepted list
 * builds into a model whose invariants hold, with one function per pci
 * line and every declared function reachable at its bus number.
 */
static void test_random_lines(void)
{
    static const char *const addresses[] = {
        "00:03.0", "00:03.1", "00:04.0", "00:1f.0", "01:00.0", "01:00.1", "02:05.0",
        "03:00.0", "00:01.0", "00:20.0", "0:03.0", "00:03.8"};
    static const char *const options[] = {
        "class=0x020000", "class=0x02000", "rev=0x01", "multifunction", "bar0=io:16",
        "bar0=mem:4096", "bar1=mem64:0x10000", "bar2=pmem:16", "bar5=mem64:16", "bar0=io:3",
        "secondary=1", "secondary=2", "secondary=3", "secondary=0", "bogus"};
    enum { TEXTS = 2000, LINES_MAX = 8 };
    uint64_t state = 0x9c1;
    unsigned accepted = 0;
    char *lines = malloc(TEXT_MAX);
    struct pci_host *pci = malloc(sizeof *pci);
    for (unsigned t = 0; t < TEXTS; t++) {
        size_t n = 0, count = unit_prng_below(&state, LINES_MAX + 1), pci_lines = 0;
        lines[0] = '\0';
        for (size_t l = 0; l < count; l++) {
            bool bridge = unit_prng_below(&state, 3) == 0;
            n += (size_t)snprintf(lines + n, TEXT_MAX - n, "%s %s%s",
                                  bridge ? "pci_bridge" : "pci",
                                  addresses[unit_prng_below(&state, 12)],
                                  bridge ? "" : " 8086:1234");
            for (size_t o = unit_prng_below(&state, 4); o > 0; o--)
                n += (size_t)snprintf(lines + n, TEXT_MAX - n, " %s",
                                      options[unit_prng_below(&state, 15)]);
            n += (size_t)snprintf(lines + n, TEXT_MAX - n, "\n");
            pci_lines++;
        }
        struct parsed *p = parse_lines(lines);
        UNIT_CHECK(p->error >= SCENARIO_OK && p->error < SCENARIO_ERROR_COUNT &&
                       (p->error == SCENARIO_OK ? p->line == 0
                                                : p->line >= 2 && p->line <= count + 1),
                   "random #%u: %s at line %zu of %zu", t, scenario_error_name(p->error),
                   p->line, count);
        if (p->error == SCENARIO_OK) {
            accepted++;
            size_t index = 99;
            UNIT_CHECK(p->scenario.pci_count == pci_lines &&
                           scenario_pci_build(&p->scenario, pci, &index) == SCENARIO_OK &&
                           pci_host_check(pci) == NULL,
                       "random #%u: accepted, builds, invariants hold", t);
            for (size_t i = 0; i < p->scenario.pci_count; i++) {
                const struct scenario_pci_function *f = &p->scenario.pci[i];
                UNIT_CHECK(routed(pci, f->bus, f->device, f->function) >= 0,
                           "random #%u: function %zu reachable at its bus number", t, i);
            }
        }
        free(p);
    }
    UNIT_CHECK(accepted > TEXTS / 20 && accepted < TEXTS * 9 / 10,
               "random lines: %u of %d accepted; both verdicts must be reached", accepted,
               TEXTS);
    free(pci);
    free(lines);
}

int main(void)
{
    test_shipped_scenario();
    test_line_errors();
    test_valid_forms();
    test_limits();
    test_list_unchanged_and_build();
    test_random_lines();
    return unit_finish("unit_scenario_pci");
}
