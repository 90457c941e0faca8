/* What `lv2lint -Mpack -E warn` checks of the bundle's description, read through lilv (lv2lint
 * is not packaged in Debian 12): for each plugin a licence, a maintainer with foaf:name,
 * foaf:mbox and foaf:homepage (hosts list the author from them) on a doap:Project (the
 * maintainer's domain, which lv2_validate checks), an even lv2:minorVersion
 * (odd ones mark unstable releases), an lv2:project and a doap:shortdesc; an rdfs:comment on
 * every port, a unit on the temperature, no toggled port with an integer default, Reseed (the
 * continuation effect's Continue) a trigger; the model (patch:writable) and the load error and
 * speed (patch:readable) with a label and a range hosts know. */
#include <stdio.h>
#include <string.h>

#include <lv2/atom/atom.h>
#include <lv2/core/lv2.h>
#include <lv2/patch/patch.h>
#include <lv2/port-props/port-props.h>
#include <lv2/units/units.h>

#include "check.h"
#include "host.h"
#include "params.h"

#define DOAP "http://usefulinc.com/ns/doap#"
#define FOAF "http://xmlns.com/foaf/0.1/"
#define RDFS "http://www.w3.org/2000/01/rdf-schema#"

static LilvWorld *world;

/* The object of subject's predicate in the world, or NULL; the caller frees it. */
static LilvNode *value_of(const LilvNode *subject, const char *predicate)
{
    if (!subject) return NULL;
    LilvNode *p = lilv_new_uri(world, predicate);
    LilvNode *value = lilv_world_get(world, subject, p, NULL);
    lilv_node_free(p);
    return value;
}

static bool has(const LilvNode *subject, const char *predicate)
{
    LilvNode *value = value_of(subject, predicate);
    lilv_node_free(value);
    return value != NULL;
}

static void check_property(const LilvPlugin *plugin, const char *relation, const char *uri,
                           const char *range)
{
    const char *name = lilv_node_as_uri(lilv_plugin_get_uri(plugin));
    LilvNode *property = lilv_new_uri(world, uri), *relation_node = lilv_new_uri(world, relation);
    LilvNode *plugin_uri = lilv_new_uri(world, name);
    bool declared = lilv_world_ask(world, plugin_uri, relation_node, property);
    LilvNode *declared_range = value_of(property, RDFS "range");
    bool ranged = declared_range && strcmp(lilv_node_as_uri(declared_range), range) == 0;
    CHECK_SHOW(declared && ranged && has(property, RDFS "label") && has(property, RDFS "comment"),
               "%s: %s %s with rdfs:label, rdfs:comment and rdfs:range %s", name,
               strrchr(relation, '#') + 1, uri, range);
    lilv_node_free(declared_range);
    lilv_node_free(plugin_uri);
    lilv_node_free(relation_node);
    lilv_node_free(property);
}

static void check_plugin(const char *uri)
{
    LilvNode *uri_node = lilv_new_uri(world, uri);
    const LilvPlugin *plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), uri_node);
    if (!CHECK_SHOW(plugin != NULL, "the bundle describes %s", uri)) {
        lilv_node_free(uri_node);
        return;
    }

    LilvNode *project = lilv_plugin_get_project(plugin);
    LilvNode *license = value_of(uri_node, DOAP "license");
    if (!license) license = value_of(project, DOAP "license");
    CHECK_SHOW(license != NULL, "%s: doap:license %s", uri,
               license ? lilv_node_as_uri(license) : "(none)");
    lilv_node_free(license);

    LilvNode *name = lilv_plugin_get_author_name(plugin);
    LilvNode *mail = lilv_plugin_get_author_email(plugin);
    LilvNode *homepage = lilv_plugin_get_author_homepage(plugin);
    CHECK_SHOW(name && mail && homepage && strncmp(lilv_node_as_uri(mail), "mailto:", 7) == 0,
               "%s: maintainer \"%s\" <%s>, %s", uri, name ? lilv_node_as_string(name) : "?",
               mail ? lilv_node_as_uri(mail) : "?",
               homepage ? lilv_node_as_uri(homepage) : "?");
    lilv_node_free(name);
    lilv_node_free(mail);
    lilv_node_free(homepage);

    /* doap:maintainer's domain is doap:Project: lv2_validate fails a plugin not typed so */
    LilvNode *type = lilv_new_uri(world, LILV_NS_RDF "type");
    LilvNode *doap_project = lilv_new_uri(world, DOAP "Project");
    CHECK_SHOW(!has(uri_node, DOAP "maintainer") ||
                   lilv_world_ask(world, uri_node, type, doap_project),
               "%s: a doap:Project, as its doap:maintainer needs", uri);
    lilv_node_free(type);
    lilv_node_free(doap_project);

    LilvNode *minor = value_of(uri_node, LV2_CORE__minorVersion);
    LilvNode *micro = value_of(uri_node, LV2_CORE__microVersion);
    CHECK_SHOW(minor && micro && lilv_node_is_int(minor) && lilv_node_as_int(minor) % 2 == 0 &&
                   lilv_node_as_int(minor) > 0,
               "%s: lv2:minorVersion %d (even: a stable release), lv2:microVersion %d", uri,
               minor ? lilv_node_as_int(minor) : -1, micro ? lilv_node_as_int(micro) : -1);
    lilv_node_free(minor);
    lilv_node_free(micro);

    LilvNode *shortdesc = value_of(uri_node, DOAP "shortdesc");
    CHECK_SHOW(project && has(project, DOAP "name") && shortdesc,
               "%s: lv2:project %s with a doap:name, doap:shortdesc \"%s\"", uri,
               project ? lilv_node_as_uri(project) : "(none)",
               shortdesc ? lilv_node_as_string(shortdesc) : "");
    lilv_node_free(shortdesc);
    lilv_node_free(project);

    LilvNode *comment = lilv_new_uri(world, RDFS "comment");
    LilvNode *unit = lilv_new_uri(world, LV2_UNITS__unit);
    LilvNode *toggled = lilv_new_uri(world, LV2_CORE__toggled);
    LilvNode *trigger = lilv_new_uri(world, LV2_PORT_PROPS__trigger);
    uint32_t ports = lilv_plugin_get_num_ports(plugin), uncommented = 0, integer_toggles = 0;
    for (uint32_t i = 0; i < ports; i++) {
        const LilvPort *port = lilv_plugin_get_port_by_index(plugin, i);
        LilvNode *text = lilv_port_get(plugin, port, comment);
        if (!text) {
            uncommented++;
            printf("     %s: port %s has no rdfs:comment\n", uri,
                   lilv_node_as_string(lilv_port_get_symbol(plugin, port)));
        }
        lilv_node_free(text);
        LilvNode *def = NULL;
        lilv_port_get_range(plugin, port, &def, NULL, NULL);
        if (lilv_port_has_property(plugin, port, toggled) && def && lilv_node_is_int(def))
            integer_toggles++;
        lilv_node_free(def);
    }
    CHECK_SHOW(uncommented == 0, "%s: an rdfs:comment on every port (%u of %u without)", uri,
               uncommented, ports);
    CHECK_SHOW(integer_toggles == 0, "%s: no toggled port with an integer default (%u)", uri,
               integer_toggles);

    const LilvPort *temperature = lilv_plugin_get_port_by_index(plugin, SRNN_PORT_TEMPERATURE);
    LilvNode *temperature_unit = lilv_port_get(plugin, temperature, unit);
    CHECK_SHOW(temperature_unit != NULL, "%s: the temperature has units:unit %s", uri,
               temperature_unit ? lilv_node_as_uri(temperature_unit) : "(none)");
    lilv_node_free(temperature_unit);

    const LilvPort *reseed = lilv_plugin_get_port_by_index(plugin, SRNN_PORT_RESEED);
    CHECK_SHOW(lilv_port_has_property(plugin, reseed, trigger) &&
                   !lilv_port_has_property(plugin, reseed, toggled),
               "%s: Reseed is a trigger, not a toggle (hosts draw a button that springs back)",
               uri);
    lilv_node_free(trigger);
    lilv_node_free(toggled);
    lilv_node_free(unit);
    lilv_node_free(comment);

    check_property(plugin, LV2_PATCH__writable, SRNN_LV2_MODEL_URI, LV2_ATOM__Path);
    check_property(plugin, LV2_PATCH__readable, SRNN_LV2_ERROR_URI, LV2_ATOM__String);
    check_property(plugin, LV2_PATCH__readable, SRNN_LV2_SPEED_URI, LV2_ATOM__String);
    lilv_node_free(uri_node);
}

int main(void)
{
    world = host_world();
    if (!world) return 1;
    check_plugin(SRNN_LV2_URI);
    check_plugin(SRNN_LV2_STEREO_URI);
    check_plugin(SRNN_LV2_INSTRUMENT_URI);
    check_plugin(SRNN_LV2_CONTINUATION_URI);
    host_world_free();
    return check_summary();
}
