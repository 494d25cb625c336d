import { Module } from '@nestjs/common';
import { DashboardConfigController } from './dashboard-config.controller.js';

/** Settings the agency dashboard (served by dispatch at /agency) reads at start. */
@Module({ controllers: [DashboardConfigController] })
export class DashboardModule {}
