/*
 * rules.c - the registry of rules, built from rules.def.
 */
#include <string.h>

#include "rule.h"

const struct rs_rule *const rs_rules[] = {
#define RULE(id) &rs_rule_##id,
#include "rules.def"
#undef RULE
};

const size_t rs_nrules = sizeof(rs_rules) / sizeof(rs_rules[0]);

const struct rs_rule *rs_rule_find(const char *name)
{
    /* A finding's rule name is the rule's own string: identity first, the text second. */
    for (size_t i = 0; i < rs_nrules; i++)
        if (rs_rules[i]->name == name)
            return rs_rules[i];
    for (size_t i = 0; i < rs_nrules; i++)
        if (!strcmp(rs_rules[i]->name, name))
            return rs_rules[i];
    return NULL;
}

size_t rs_rule_index(const struct rs_rule *r)
{
    for (size_t i = 0; i < rs_nrules; i++)
        if (rs_rules[i] == r)
            return i;
    return 0;
}
