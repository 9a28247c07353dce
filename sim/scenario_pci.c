/*
 * scenario_pci.c - "pci" and "pci_bridge" scenario lines (scenario_pci.h).
 *
 * Decode, then check by building: a line is split into words and each
 * word decoded strictly (scenario_pci_parse); then the whole list so far
 * is built into a scratch host bridge model (scenario_pci_build), the same
 * way world_pci.c builds the world's, so a scenario the parser accepts is
 * one the world can build, and the error is reported on the line that
 * broke it.
 *
 * Bus numbers: a bridge's secondary bus number is its chassis number too
 * (QEMU wants them unique); its subordinate bus is the highest secondary
 * bus at or below it. Ranges must nest: every bus in [secondary,
 * subordinate] of a bridge lies behind that bridge, which is what a
 * depth-first numbering by firmware gives and what routing by range needs.
 */
#include "scenario_pci.h"

#include <string.h>

enum {
    BOARD_FLAGS = 0,                 /* bus 0 without VGA and NIC (world_pci.c) */
    BOARD_DEVICES = 2,               /* 00:00 and 00:01 are the board's */
    QEMU_SUBSYSTEM_VENDOR = 0x1AF4,  /* what QEMU gives functions without their own */
    QEMU_SUBSYSTEM = 0x1100,
    WORDS_MAX = 12,                  /* BDF, ids, class, rev, 6 BARs, multifunction */
};

struct word {
    const char *text;
    size_t length;
};

/* ---- decoding words ------------------------------------------------------- */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Exactly `digits` hex digits at text. */
static bool hex_fixed(const char *text, size_t digits, uint32_t *out)
{
    uint32_t value = 0;
    for (size_t i = 0; i < digits; i++) {
        int d = hex_digit(text[i]);
        if (d < 0)
            return false;
        value = value << 4 | (uint32_t)d;
    }
    *out = value;
    return true;
}

/* Decimal, or hex after "0x"; no overflow, no empty number. */
static bool number_parse(const char *text, size_t length, uint64_t *out)
{
    bool hex = length > 2 && text[0] == '0' && text[1] == 'x';
    size_t start = hex ? 2 : 0;
    if (length == start)
        return false;
    uint64_t value = 0, base = hex ? 16 : 10;
    for (size_t i = start; i < length; i++) {
        int d = hex ? hex_digit(text[i]) : (text[i] >= '0' && text[i] <= '9' ? text[i] - '0' : -1);
        if (d < 0 || value > (UINT64_MAX - (uint64_t)d) / base)
            return false;
        value = value * base + (uint64_t)d;
    }
    *out = value;
    return true;
}

static bool word_is(struct word word, const char *s)
{
    return word.length == strlen(s) && memcmp(word.text, s, word.length) == 0;
}

/* "key=" prefix: *out_value is the rest. */
static bool word_key(struct word word, const char *key, struct word *out_value)
{
    size_t n = strlen(key);
    if (word.length < n || memcmp(word.text, key, n) != 0)
        return false;
    *out_value = (struct word){word.text + n, word.length - n};
    return true;
}

/* BB:DD.F */
static enum scenario_error address_decode(struct word word, struct scenario_pci_function *f)
{
    uint32_t bus, device, function;
    if (word.length != 7 || word.text[2] != ':' || word.text[5] != '.' ||
        !hex_fixed(word.text, 2, &bus) || !hex_fixed(word.text + 3, 2, &device) ||
        !hex_fixed(word.text + 6, 1, &function) || device >= PCI_HOST_DEVICES_PER_BUS ||
        function >= PCI_HOST_FUNCTIONS_PER_DEVICE)
        return SCENARIO_ERR_PCI_BAD_ADDRESS;
    f->bus = (uint8_t)bus;
    f->device = (uint8_t)device;
    f->function = (uint8_t)function;
    return SCENARIO_OK;
}

/* VVVV:DDDD */
static enum scenario_error ids_decode(struct word word, struct pci_host_function_desc *desc)
{
    uint32_t vendor, device;
    if (word.length != 9 || word.text[4] != ':' || !hex_fixed(word.text, 4, &vendor) ||
        !hex_fixed(word.text + 5, 4, &device) || vendor == 0xFFFF)
        return SCENARIO_ERR_PCI_BAD_ID;
    desc->vendor_id = (uint16_t)vendor;
    desc->device_id = (uint16_t)device;
    return SCENARIO_OK;
}

/* barN=KIND:SIZE; the model's descriptor check judges the sizes later. */
static enum scenario_error bar_decode(struct word word, struct pci_host_function_desc *desc)
{
    static const struct { const char *name; uint8_t kind; bool prefetchable; } kinds[] = {
        {"io:", PCI_HOST_BAR_KIND_IO, false},      {"mem:", PCI_HOST_BAR_KIND_MEM32, false},
        {"mem64:", PCI_HOST_BAR_KIND_MEM64, false}, {"pmem:", PCI_HOST_BAR_KIND_MEM32, true},
        {"pmem64:", PCI_HOST_BAR_KIND_MEM64, true},
    };
    if (word.length < 5 || word.text[3] < '0' || word.text[3] > '5' || word.text[4] != '=')
        return SCENARIO_ERR_PCI_BAD_BAR;
    struct pci_host_bar_desc *bar = &desc->bars[word.text[3] - '0'];
    if (bar->kind != PCI_HOST_BAR_NONE)
        return SCENARIO_ERR_PCI_BAD_OPTION;             /* given twice */
    struct word rest = {word.text + 5, word.length - 5}, size;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (!word_key(rest, kinds[i].name, &size))
            continue;
        if (!number_parse(size.text, size.length, &bar->size) || bar->size == 0)
            return SCENARIO_ERR_PCI_BAD_BAR;
        bar->kind = kinds[i].kind;
        bar->prefetchable = kinds[i].prefetchable;
        return SCENARIO_OK;
    }
    return SCENARIO_ERR_PCI_BAD_BAR;
}

/* Options given once only, whatever their value. */
struct options_seen {
    bool class_code;
    bool revision;
};

static enum scenario_error option_decode(struct word word, bool bridge, struct options_seen *seen,
                                         struct scenario_pci_function *f)
{
    struct word value;
    uint32_t hex = 0;
    uint64_t number = 0;
    if (word_is(word, "multifunction")) {
        if (f->desc.multifunction)
            return SCENARIO_ERR_PCI_BAD_OPTION;
        f->desc.multifunction = true;
        return SCENARIO_OK;
    }
    if (bridge) {
        if (!word_key(word, "secondary=", &value) || f->secondary_bus != 0)
            return SCENARIO_ERR_PCI_BAD_OPTION;
        if (!number_parse(value.text, value.length, &number) || number == 0 || number > 255)
            return SCENARIO_ERR_PCI_BAD_BUS_NUMBER;
        f->secondary_bus = (uint8_t)number;
        return SCENARIO_OK;
    }
    if (word_key(word, "class=", &value)) {
        if (seen->class_code || value.length != 8 || value.text[0] != '0' || value.text[1] != 'x' ||
            !hex_fixed(value.text + 2, 6, &hex))
            return SCENARIO_ERR_PCI_BAD_OPTION;
        seen->class_code = true;
        f->desc.class_code = hex;
        return SCENARIO_OK;
    }
    if (word_key(word, "rev=", &value)) {
        if (seen->revision || value.length != 4 || value.text[0] != '0' ||
            value.text[1] != 'x' || !hex_fixed(value.text + 2, 2, &hex))
            return SCENARIO_ERR_PCI_BAD_OPTION;
        seen->revision = true;
        f->desc.revision = (uint8_t)hex;
        return SCENARIO_OK;
    }
    if (word_key(word, "bar", &value))
        return bar_decode(word, &f->desc);
    return SCENARIO_ERR_PCI_BAD_OPTION;
}

static size_t split_words(const char *text, size_t length, struct word *words, size_t max)
{
    size_t count = 0;
    for (size_t at = 0; at < length;) {
        while (at < length && text[at] == ' ')
            at++;
        size_t start = at;
        while (at < length && text[at] != ' ')
            at++;
        if (at == start)
            break;
        if (count == max)
            return max + 1;                             /* too many words */
        words[count++] = (struct word){text + start, at - start};
    }
    return count;
}

/* The words of a line into *f, without looking at the rest of the list. */
static enum scenario_error line_decode(const char *text, size_t length, bool bridge,
                                       struct scenario_pci_function *f)
{
    struct word words[WORDS_MAX];
    size_t count = split_words(text, length, words, WORDS_MAX);
    if (count > WORDS_MAX)
        return SCENARIO_ERR_PCI_BAD_OPTION;
    size_t fixed = bridge ? 1 : 2;                      /* BDF [, ids] */
    if (count < fixed)
        return SCENARIO_ERR_MISSING_VALUE;
    enum scenario_error error = address_decode(words[0], f);
    if (bridge) {
        f->desc = pci_host_qemu_bridge_desc(0);
    } else {
        f->desc = (struct pci_host_function_desc){.subsystem_vendor_id = QEMU_SUBSYSTEM_VENDOR,
                                                  .subsystem_id = QEMU_SUBSYSTEM};
        if (error == SCENARIO_OK)
            error = ids_decode(words[1], &f->desc);
    }
    struct options_seen seen = {0};
    for (size_t i = fixed; error == SCENARIO_OK && i < count; i++)
        error = option_decode(words[i], bridge, &seen, f);
    if (error != SCENARIO_OK)
        return error;
    if (bridge ? f->secondary_bus == 0 : !seen.class_code)
        return SCENARIO_ERR_MISSING_VALUE;              /* secondary= / class= are required */
    if (bridge)
        f->desc.presets[3].value = f->secondary_bus;    /* the slot-ID capability's chassis */
    return pci_host_desc_check(&f->desc) == NULL ? SCENARIO_OK : SCENARIO_ERR_PCI_BAD_BAR;
}

/* ---- the list as a whole --------------------------------------------------- */

/* The bridge of list[0..count) whose secondary bus is `bus`, or -1. */
static int bridge_of_bus(const struct scenario_pci_function *list, size_t count, unsigned bus)
{
    for (size_t i = 0; i < count; i++)
        if (list[i].secondary_bus == bus && list[i].secondary_bus != 0)
            return (int)i;
    return -1;
}

/* Is bridge `inner` at or behind bridge `outer`? Walks up by bus numbers,
 * which strictly fall on the way up: at most `count` steps. */
static bool bridge_behind(const struct scenario_pci_function *list, size_t count, int inner,
                          int outer)
{
    for (size_t steps = 0; inner >= 0 && steps <= count; steps++) {
        if (inner == outer)
            return true;
        inner = bridge_of_bus(list, count, list[inner].bus);
    }
    return false;
}

static unsigned subordinate_of(const struct scenario_pci_function *list, size_t count, int bridge)
{
    unsigned subordinate = list[bridge].secondary_bus;
    for (size_t i = 0; i < count; i++)
        if (list[i].secondary_bus > subordinate && bridge_behind(list, count, (int)i, bridge))
            subordinate = list[i].secondary_bus;
    return subordinate;
}

/* Where function `index` may go, before the model is asked. */
static enum scenario_error place_decode(const struct scenario_pci_function *list, size_t index)
{
    const struct scenario_pci_function *f = &list[index];
    if (f->bus == 0 && f->device < BOARD_DEVICES)
        return SCENARIO_ERR_PCI_SLOT_TAKEN;
    for (size_t i = 0; i < index; i++)
        if (list[i].bus == f->bus && list[i].device == f->device &&
            list[i].function == f->function)
            return SCENARIO_ERR_PCI_DUPLICATE;
    if (f->bus != 0 && bridge_of_bus(list, index, f->bus) < 0)
        return SCENARIO_ERR_PCI_NO_SUCH_BUS;
    bool first_seen = f->function == 0;
    for (size_t i = 0; i < index && !first_seen; i++)
        first_seen = list[i].bus == f->bus && list[i].device == f->device && list[i].function == 0;
    if (!first_seen)
        return SCENARIO_ERR_PCI_MULTIFUNCTION;          /* function 0 comes first */
    if (f->secondary_bus == 0)
        return SCENARIO_OK;
    if (f->secondary_bus <= f->bus || bridge_of_bus(list, index, f->secondary_bus) >= 0)
        return SCENARIO_ERR_PCI_BAD_BUS_NUMBER;
    return SCENARIO_OK;
}

/* Every bus in a bridge's [secondary, subordinate] lies behind it. */
static bool buses_nest(const struct scenario_pci_function *list, size_t count)
{
    for (size_t b = 0; b < count; b++) {
        if (list[b].secondary_bus == 0)
            continue;
        unsigned subordinate = subordinate_of(list, count, (int)b);
        for (size_t c = 0; c < count; c++)
            if (list[c].secondary_bus > list[b].secondary_bus &&
                list[c].secondary_bus <= subordinate && !bridge_behind(list, count, (int)c, (int)b))
                return false;
    }
    return true;
}

static enum scenario_error model_error(enum pci_host_error error)
{
    switch (error) {
    case PCI_HOST_OK: return SCENARIO_OK;
    case PCI_HOST_ERROR_FUNCTIONS_FULL:
    case PCI_HOST_ERROR_BUSES_FULL: return SCENARIO_ERR_PCI_TOO_MANY;
    case PCI_HOST_ERROR_NO_SUCH_BUS: return SCENARIO_ERR_PCI_NO_SUCH_BUS;
    case PCI_HOST_ERROR_BAD_ADDRESS: return SCENARIO_ERR_PCI_BAD_ADDRESS;
    case PCI_HOST_ERROR_OCCUPIED: return SCENARIO_ERR_PCI_DUPLICATE;
    case PCI_HOST_ERROR_SINGLE_FUNCTION: return SCENARIO_ERR_PCI_MULTIFUNCTION;
    case PCI_HOST_ERROR_BAD_DESCRIPTOR: return SCENARIO_ERR_PCI_BAD_BAR;
    }
    return SCENARIO_ERR_PCI_BAD_OPTION;
}

/* Primary, secondary and subordinate bus of every bridge, as firmware sets them. */
static void bus_numbers_program(const struct scenario *scenario, struct pci_host *pci,
                                const unsigned *function_ids)
{
    for (size_t i = 0; i < scenario->pci_count; i++) {
        const struct scenario_pci_function *f = &scenario->pci[i];
        if (f->secondary_bus == 0)
            continue;
        unsigned subordinate = subordinate_of(scenario->pci, scenario->pci_count, (int)i);
        pci_host_config_write(pci, function_ids[i], PCI_HOST_PRIMARY_BUS, 1, f->bus);
        pci_host_config_write(pci, function_ids[i], PCI_HOST_SECONDARY_BUS, 1, f->secondary_bus);
        pci_host_config_write(pci, function_ids[i], PCI_HOST_SUBORDINATE_BUS, 1, subordinate);
    }
}

enum scenario_error scenario_pci_build(const struct scenario *scenario, struct pci_host *pci,
                                       size_t *out_index)
{
    unsigned function_ids[SCENARIO_PCI_FUNCTIONS_MAX];
    pci_host_init(pci, BOARD_FLAGS);
    *out_index = 0;
    if (scenario->pci_count > SCENARIO_PCI_FUNCTIONS_MAX)
        return SCENARIO_ERR_PCI_TOO_MANY;
    for (size_t i = 0; i < scenario->pci_count; i++) {
        const struct scenario_pci_function *f = &scenario->pci[i];
        *out_index = i;
        enum scenario_error error = place_decode(scenario->pci, i);
        if (error != SCENARIO_OK)
            return error;
        if (!buses_nest(scenario->pci, i + 1))
            return SCENARIO_ERR_PCI_BAD_BUS_NUMBER;
        int bridge = f->bus == 0 ? -1 : bridge_of_bus(scenario->pci, i, f->bus);
        unsigned bus_id = bridge < 0 ? PCI_HOST_ROOT_BUS_ID
                                     : pci_host_bridge_bus_id(pci, function_ids[bridge]);
        error = model_error(pci_host_add_function(pci, bus_id, f->device, f->function, &f->desc,
                                                  &function_ids[i]));
        if (error != SCENARIO_OK)
            return error;
        if (f->secondary_bus != 0 && f->desc.header_type != PCI_HOST_HEADER_BRIDGE)
            return SCENARIO_ERR_PCI_BAD_OPTION;   /* a programmatic list may say so */
    }
    bus_numbers_program(scenario, pci, function_ids);
    return SCENARIO_OK;
}

enum scenario_error scenario_pci_parse(struct scenario *out, const char *value, size_t length,
                                       bool bridge)
{
    struct scenario_pci_function function = {0};
    enum scenario_error error = line_decode(value, length, bridge, &function);
    if (error != SCENARIO_OK)
        return error;
    if (out->pci_count == SCENARIO_PCI_FUNCTIONS_MAX)
        return SCENARIO_ERR_PCI_TOO_MANY;
    out->pci[out->pci_count++] = function;
    struct pci_host scratch;   /* ~15 KiB: the world's model, built to check */
    size_t index = 0;
    error = scenario_pci_build(out, &scratch, &index);
    if (error != SCENARIO_OK)
        out->pci[--out->pci_count] = (struct scenario_pci_function){0};
    return error;
}
