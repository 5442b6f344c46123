"""The brain reading layout: z-map over the template with a threshold, the 3D-SSP panel and the regional
table with bars (results of ``workstation.analysis.brain``)."""
