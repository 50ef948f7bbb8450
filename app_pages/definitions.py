"""Definitions: every rule the figures follow, the guide's numbers and the sources."""

import pandas as pd
import streamlit as st

from regiondash import calendar, definitions, phases, reference

st.title("Definitions")
st.markdown(definitions.INTRO)
for title, text in definitions.TERMS:
    with st.expander(title, expanded=True):
        st.markdown(text)

st.subheader("The guide's phases and estimates")
st.caption(
    "From NHS England's Practice migration guide. The whole migration takes 12 to 16 weeks "
    "from registration (or order) to the end of post go live."
)
st.table(pd.DataFrame(definitions.phase_rows()).set_index("#"))

st.subheader("Milestone trackers: how phase spans are worked out")
st.markdown(definitions.SPAN_RULE_TEXT)
st.table(pd.DataFrame(phases.span_rule_rows()).set_index("phase"))

st.subheader("Busy periods")
st.markdown(definitions.BUSY_TEXT)
st.table(pd.DataFrame(calendar.definition_rows()).set_index("busy period"))

st.subheader("Risk rules (the guide's lessons learnt)")
st.markdown(definitions.RISK_TEXT)
st.table(pd.DataFrame(definitions.risk_rows()).set_index("rule"))

st.subheader("Forecast go live")
st.markdown(definitions.FORECAST_TEXT)

st.subheader("Sources and licence")
st.markdown(definitions.SOURCES_TEXT)
st.caption(reference.ATTRIBUTION)
