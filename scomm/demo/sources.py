"""
Where each fact of the demo comes from. The five seed articles first (the
public record the product was designed from), then the documents and
reports of the time that give the dates the articles leave out. A fact
whose day no source gives is recorded with the precision the source allows
(a month, "on or before"), never with an invented day.
"""

# The seed articles.
DN_OPT_OUT = (
    "“Is it really possible to opt-out of Secure Communities?”, Deportation Nation, "
    "early Sept. 2010"
)
ICE_SAYS = "“ICE says Secure Communities opt-out is possible”, Aug. 2010"
DMI = "“Can Cities Really Opt Out of Secure Communities?”, DMI Blog, Sept. 1, 2010"
CCR = "Center for Constitutional Rights press release, Sept. 1, 2010"
DN_NAPOLITANO = (
    "“Napolitano Confirms Secure Communities Opt-Out Process”, Deportation Nation, Sept. 2010"
)

# San Francisco.
SFGATE_MAY_18 = (
    "“Sheriff asks to opt out of federal immigration program”, SFGate City Insider, May 18, 2010"
)
SFBG_AUG_31 = (
    "San Francisco Bay Guardian, Aug. 31, 2010 (the Sheriff's letter of that day to "
    "Attorney General Brown, David Venturella and Marc A. Rapp)"
)
SF_APPEAL = "SF Appeal, Sept. 1, 2010 (“As of June 8 the program has been implemented”)"
MERCURY_SEP_28 = (
    "“Santa Clara County supervisors vote to opt out of Secure Communities program”, "
    "San Jose Mercury News, Sept. 28, 2010"
)
WI_OCT_6 = (
    "“Napolitano Confirms There Is No Opt-Out Option for Secure Communities”, "
    "Washington Independent, Oct. 6, 2010"
)

# Santa Clara.
SCC_RESOLUTION = (
    "Santa Clara County resolution against Secure Communities, 2010 (“on May 4, 2010, "
    "our County was activated”)"
)
SCC_NOV_10 = (
    "County of Santa Clara press release, Nov. 10, 2010: “County of Santa Clara Denied "
    "Opt-Out of Immigration Enforcement Program”"
)

# Arlington.
EXAMINER_SEP_28 = (
    "Washington Examiner, Sept. 28, 2010 (the resolution directs the County Manager to "
    "notify ICE and the Virginia State Police; Virginia covered since June 21)"
)
ARLNOW_NOV_2 = "“Arlington Officials to Discuss Secure Communities with ICE”, ARLnow, Nov. 2, 2010"
ARLINGTON_NOV_5 = (
    "County Manager Barbara Donnellan, memo to the County Board, Nov. 5, 2010: "
    "“Secure Communities Meeting with ICE”"
)
WI_ARLINGTON = (
    "“Arlington, Va., drops effort to opt out of immigration enforcement program”, "
    "Washington Independent, Nov. 2010"
)

# Orange County, North Carolina.
ORANGE_MINUTES = (
    "Orange County Board of Commissioners, minutes of the regular meeting of Jan. 22, 2009"
)

# The District of Columbia.
CCR_MAY_4 = (
    "Center for Constitutional Rights press release, May 4, 2010: the Council introduces "
    "the “Secure Communities Act of 2010”"
)
DC_JUNE_2012 = (
    "Washington Examiner, June 4, 2012, and DC Jobs with Justice, June 5, 2012: "
    "ICE activates Secure Communities in the District on June 5, 2012"
)
