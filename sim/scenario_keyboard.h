/*
 * scenario_keyboard.h - the keyboard lines of a scenario file (sim-internal;
 * the grammar is in duet/scenario.h). scenario.c hands every line whose
 * keyword is one of these to scenario_keyboard_line.
 */
#ifndef DUET_SCENARIO_KEYBOARD_H
#define DUET_SCENARIO_KEYBOARD_H

#include <stdbool.h>
#include <stddef.h>

#include "duet/scenario.h"

/* "i8042", "key", "type" or "scancodes". */
bool scenario_keyboard_keyword(const char *keyword, size_t keyword_length);

/* Decodes one such line (the value is everything after the keyword and
 * its spaces, not empty) and appends its inputs; on error nothing is
 * appended. */
enum scenario_error scenario_keyboard_line(struct scenario_keyboard *keyboard,
                                           const char *keyword, size_t keyword_length,
                                           const char *value, size_t value_length);

#endif
