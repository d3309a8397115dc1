import { graphql } from './gql';

export const ViewerQuery = graphql(`
  query Viewer {
    viewer { keyId role tenant }
  }
`);

export const TenantsQuery = graphql(`
  query Tenants {
    tenants { id slug name createdAt scimUrl stats { usersActive usersInactive groups } activity(hours: 24) { lastRequestAt requests failedRequests errorRate } }
  }
`);

export const CreateTenant = graphql(`
  mutation CreateTenant($input: CreateTenantInput!) {
    createTenant(input: $input) { id slug name }
  }
`);

export const TenantOverviewQuery = graphql(`
  query TenantOverview($slug: String!, $holds: HoldState) {
    tenant(slug: $slug) {
      id slug name scimUrl
      stats { usersActive usersInactive usersDeleted groups memberships events { heldEvents openHolds unpublishedEvents } }
      scimConnections { id name idp activeTokens lastRequestAt lastRequest { status time operation } tokens { id prefix expiresAt status } health { errors userWrites groupWrites missing { attribute users } unknownAttributes { attribute count } unknownManagers unparsablePhones recentErrors { status scimType detail count lastSeen lastRequest } } }
      eventHolds(state: $holds) { id reason events createdAt }
    }
  }
`);

export const TenantTrafficQuery = graphql(`
  query TenantTraffic($slug: String!, $first: Int!, $from: DateTime) {
    tenant(slug: $slug) {
      auditEntries(first: $first, filter: { from: $from }) { nodes { time status connectionId actorKind } }
    }
    events(tenant: $slug, first: 1000) { nodes { time type } }
  }
`);

export const CreateConnection = graphql(`
  mutation CreateConnection($tenant: String!, $idp: IdpKind!, $days: Int, $name: String) {
    createScimConnection(tenant: $tenant, idp: $idp, days: $days, name: $name) {
      scimUrl token connection { id name idp } tokenInfo { id prefix expiresAt }
    }
  }
`);

export const ConnectionsQuery = graphql(`
  query Connections($slug: String!) {
    tenant(slug: $slug) {
      id slug scimUrl
      scimConnections {
        id name idp activeTokens lastRequestAt status deletePolicy disabledAt deletedAt
        lastRequest { status time operation scimType }
        health { errors userWrites groupWrites missing { attribute users } unknownAttributes { attribute count } unknownManagers unparsablePhones recentErrors { status scimType detail count lastSeen lastRequest } }
        tokens { id prefix createdAt expiresAt lastUsedAt revokedAt status }
      }
    }
  }
`);

export const RotateToken = graphql(`
  mutation RotateToken($tenant: String!, $id: ID!, $overlapMinutes: Int!, $days: Int) {
    rotateToken(tenant: $tenant, id: $id, overlapMinutes: $overlapMinutes, days: $days) { token scimUrl info { id prefix expiresAt } }
  }
`);

export const RevokeToken = graphql(`
  mutation RevokeToken($tenant: String!, $id: ID!) {
    revokeToken(tenant: $tenant, id: $id) { id status revokedAt }
  }
`);

export const UsersQuery = graphql(`
  query Users($slug: String!, $filter: String, $after: String, $first: Int, $orderBy: OrderBy) {
    tenant(slug: $slug) {
      id
      users(filter: $filter, after: $after, first: $first, orderBy: $orderBy) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { id userName displayName externalId active createdAt updatedAt attributes }
      }
    }
  }
`);

export const DeletedUsersQuery = graphql(`
  query DeletedUsers($slug: String!, $after: String) {
    tenant(slug: $slug) {
      id
      deletedUsers(first: 50, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id userName updatedAt } }
    }
  }
`);

export const UserQuery = graphql(`
  query UserDetail($slug: String!, $id: ID!) {
    tenant(slug: $slug) {
      id
      user(id: $id) { id userName displayName externalId active createdAt updatedAt version attributes groups { id displayName } events(first: 20) { id sequence type time } }
      auditEntries(first: 50, filter: { resourceId: $id }) { nodes { id time operation status actorKind scimType } }
    }
  }
`);

export const PurgeUser = graphql(`
  mutation PurgeUser($tenant: String!, $id: ID!) { purgeUser(tenant: $tenant, id: $id) }
`);

export const RestoreUser = graphql(`
  mutation RestoreUser($tenant: String!, $id: ID!) { restoreUser(tenant: $tenant, id: $id) { id userName } }
`);

export const GroupsQuery = graphql(`
  query Groups($slug: String!, $filter: String, $after: String) {
    tenant(slug: $slug) {
      id
      groups(filter: $filter, after: $after, first: 25) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { id displayName externalId memberCount updatedAt }
      }
    }
  }
`);

export const AuditQuery = graphql(`
  query Audit($slug: String!, $filter: AuditFilter, $after: String) {
    tenant(slug: $slug) {
      id
      scimConnections { id name }
      auditEntries(first: 50, after: $after, filter: $filter) {
        pageInfo { hasNextPage endCursor }
        nodes { id time actorKind connectionId adminKeyId idp method path operation filter status scimType latencyMs requestId resourceIds changedAttributes holdId }
      }
    }
  }
`);

/** The live feed: `wait` makes an empty page long-poll on the server (answered when the next event commits). */
export const EventFeedQuery = graphql(`
  query EventFeed($slug: String!, $after: String, $types: [String!], $wait: Int) {
    events(tenant: $slug, after: $after, types: $types, first: 200, wait: $wait) { endCursor hasNextPage nodes { id sequence type subject time data } }
  }
`);

export const EventHoldsQuery = graphql(`
  query EventHolds($slug: String!) {
    tenant(slug: $slug) { id eventHolds { id state reason events createdAt resolvedAt resolvedBy connectionId } }
  }
`);

export const ReleaseHold = graphql(`
  mutation ReleaseHold($tenant: String!, $id: ID!) { releaseHold(tenant: $tenant, id: $id) { id state } }
`);

export const DiscardHold = graphql(`
  mutation DiscardHold($tenant: String!, $id: ID!) { discardHold(tenant: $tenant, id: $id) { id state } }
`);

export const AttributesQuery = graphql(`
  query Attributes($slug: String!) {
    tenant(slug: $slug) { id attributeDefinitions { id name resourceType schema type multiValued required description createdAt } }
  }
`);

export const DefineAttribute = graphql(`
  mutation DefineAttribute($tenant: String!, $input: DefineAttributeInput!) {
    defineAttribute(tenant: $tenant, input: $input) { id name }
  }
`);

export const RemoveAttribute = graphql(`
  mutation RemoveAttribute($tenant: String!, $name: String!, $resourceType: String!, $schema: String) {
    removeAttribute(tenant: $tenant, name: $name, resourceType: $resourceType, schema: $schema) { resourcesChanged }
  }
`);

export const AdminKeysQuery = graphql(`
  query AdminKeys {
    adminKeys { id role tenant prefix createdAt lastUsedAt revokedAt }
  }
`);

export const CreateAdminKey = graphql(`
  mutation CreateAdminKey($role: AdminRole!, $tenant: String) {
    createAdminKey(role: $role, tenant: $tenant) { key info { id prefix role tenant } }
  }
`);

export const RevokeAdminKey = graphql(`
  mutation RevokeAdminKey($id: ID!) { revokeAdminKey(id: $id) { id revokedAt } }
`);

export const SetupLinksQuery = graphql(`
  query SetupLinks($slug: String!) {
    tenant(slug: $slug) { id setupLinks { id idp prefix state createdAt expiresAt openedAt completedAt revokedAt connectionId } }
  }
`);

export const CreateSetupLink = graphql(`
  mutation CreateSetupLink($tenant: String!, $idp: IdpKind!, $days: Int) {
    createSetupLink(tenant: $tenant, idp: $idp, days: $days) { url secret link { id expiresAt } }
  }
`);

export const RevokeSetupLink = graphql(`
  mutation RevokeSetupLink($tenant: String!, $id: ID!) { revokeSetupLink(tenant: $tenant, id: $id) { id state } }
`);

export const PublicSetupLinkQuery = graphql(`
  query PublicSetupLink($secret: String!) {
    setupLink(secret: $secret) { tenantName idp expiresAt scimUrl }
  }
`);

export const CompleteSetupLink = graphql(`
  mutation CompleteSetupLink($secret: String!, $days: Int) {
    completeSetupLink(secret: $secret, days: $days) { scimUrl token connectionId idp tokenInfo { id prefix expiresAt } }
  }
`);

export const UpdateConnection = graphql(`
  mutation UpdateConnection($tenant: String!, $id: ID!, $input: UpdateScimConnectionInput!) {
    updateScimConnection(tenant: $tenant, id: $id, input: $input) { id name deletePolicy }
  }
`);

export const DisableConnection = graphql(`
  mutation DisableConnection($tenant: String!, $id: ID!) { disableScimConnection(tenant: $tenant, id: $id) { id status } }
`);

export const EnableConnection = graphql(`
  mutation EnableConnection($tenant: String!, $id: ID!) { enableScimConnection(tenant: $tenant, id: $id) { id status } }
`);

export const DeleteConnection = graphql(`
  mutation DeleteConnection($tenant: String!, $id: ID!) { deleteScimConnection(tenant: $tenant, id: $id) { id status } }
`);
