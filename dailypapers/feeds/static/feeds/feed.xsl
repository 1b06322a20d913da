<?xml version="1.0" encoding="utf-8"?>
<!-- How a browser shows the site's RSS and Atom feeds (dailypapers/feeds/feeds.py names this
     file in an xml-stylesheet instruction): a readable page saying what a feed is, its
     address to copy into a feed reader, and its items. Feed readers ignore it. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>

  <xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
  <xsl:variable name="about" select="/rss/channel/description | /atom:feed/atom:subtitle"/>
  <xsl:variable name="self" select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>
  <xsl:variable name="site" select="/rss/channel/link | /atom:feed/atom:link[@rel='alternate']/@href"/>

  <xsl:template match="/">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <!-- The site's own stylesheet (a Content-Security-Policy allows no inline styles).
             Its unhashed name: static storage keeps it beside the hashed copy. -->
        <link rel="stylesheet" href="/static/dailypapers/site.css"/>
      </head>
      <body>
        <main class="wrap">
          <p class="notice" id="about-feed"><strong>This is a web feed</strong>
            (<xsl:choose><xsl:when test="/rss">RSS</xsl:when><xsl:otherwise>Atom</xsl:otherwise></xsl:choose>).
            Follow it in a feed reader by adding this address:
            <code><xsl:value-of select="$self"/></code></p>
          <section class="hero">
            <h1><xsl:value-of select="$title"/></h1>
            <p class="lede"><xsl:value-of select="$about"/>
              <xsl:text> </xsl:text><a href="{$site}">See it on the site</a>.</p>
          </section>
          <ol class="cards items">
            <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
          </ol>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <li class="card"><div class="body">
      <h2 class="title"><a href="{link}"><xsl:value-of select="title"/></a></h2>
      <p class="authors"><xsl:value-of select="*[local-name()='creator'] | author"/>
        <xsl:if test="pubDate"> · <xsl:value-of select="substring(pubDate, 1, 16)"/></xsl:if></p>
      <p class="excerpt"><xsl:value-of select="description"/></p>
    </div></li>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li class="card"><div class="body">
      <h2 class="title"><a href="{atom:link[not(@rel) or @rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
      <p class="authors"><xsl:value-of select="atom:author/atom:name"/>
        <xsl:if test="atom:published"> · <xsl:value-of select="substring(atom:published, 1, 10)"/></xsl:if></p>
      <p class="excerpt"><xsl:value-of select="atom:summary"/></p>
    </div></li>
  </xsl:template>
</xsl:stylesheet>
