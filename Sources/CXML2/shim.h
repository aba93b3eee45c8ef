#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU, whose headers would then clash with the copy of ICU inside
// Foundation. Tally uses no ICU-specific part of libxml2 (nor the encoding handler's fields
// that depend on it), so its headers are read as if libxml2 had been built without ICU.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
