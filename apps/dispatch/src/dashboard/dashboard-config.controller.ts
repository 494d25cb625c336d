import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '#config';

/** What the agency dashboard reads before signing in: where its map tiles come from (DASHBOARD_TILE_URL). */
@ApiTags('dashboard')
@Controller('v1/dashboard-config')
export class DashboardConfigController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  @ApiOperation({ summary: "The dashboard map's tile URL template and attribution; no key needed" })
  @ApiResponse({
    status: 200,
    description: 'The map settings',
    schema: { type: 'object', properties: { map: { type: 'object', properties: { tileUrl: { type: 'string' }, attribution: { type: 'string' } } } } },
  })
  get() {
    const { url, attribution } = this.config.dispatch.dashboardTiles;
    return { map: { tileUrl: url, attribution } };
  }
}
