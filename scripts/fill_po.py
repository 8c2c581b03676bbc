"""Fill empty msgstr entries of one .po file from a JSON dict {msgid: translation}.

python scripts/fill_po.py src/warta/audit/locale/id/LC_MESSAGES/django.po translations.json
"""

import json
import sys

import polib

po = polib.pofile(sys.argv[1])
with open(sys.argv[2], encoding="utf-8") as source:
    translations = json.load(source)
for entry in po:
    if entry.msgid in translations and (not entry.msgstr or "fuzzy" in entry.flags):
        entry.msgstr = translations[entry.msgid]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
po.metadata["Language"] = "id"
po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
if "fuzzy" in po.metadata_is_fuzzy or po.metadata_is_fuzzy:
    po.metadata_is_fuzzy = []
po.save()
missing = [e.msgid for e in po.untranslated_entries()]
print(f"{sys.argv[1]}: {len(missing)} untranslated", *missing, sep="\n  ")
