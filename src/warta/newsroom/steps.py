"""How the newsroom maps the Humas SOP's steps onto its pages.

The engine runs any definition; only these step ids get newsroom-specific behaviour (editing the
content, publishing). Every other manual or decision step is offered generically.
"""

EDITABLE_STEPS = frozenset({"catat", "edit"})
PUBLISH_STEP = "unggah"
REVIEW_STEPS = frozenset({"periksa", "izin"})
SOP_CODE = "SDM.6.OT.02.02-3002"
# Finishing this step hands the draft to the reviewer; the text submitted is kept for the diff.
SUBMIT_FOR_REVIEW_STEP = "edit"
CREATOR_ROLE = "staf_humas"
